//go:build browser

package browsertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// NotebookServer is a classic Jupyter Notebook server (notebook 6) on
// 127.0.0.1, started by StartNotebookServer.
type NotebookServer struct {
	// URL is the server's base URL, such as http://127.0.0.1:41234.
	URL string

	// Token is the random access token of the server.
	Token string

	// LogPath is the file with the server's output and its kernels' logs.
	LogPath string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the result of cmd.Wait, valid after exited closes
}

// StartNotebookServer starts `jupyter notebook` on a free port of 127.0.0.1
// with root as its notebook folder, a random token and env added to the
// environment. It waits until the server's API responds, at most timeout.
// The server writes its runtime files and checkpoints under workDir and its
// output to workDir/jupyter.log. It serves hidden files, so that a test can
// open a notebook copy whose name starts with a dot. Stop it with Stop.
func StartNotebookServer(root, workDir string, env []string, timeout time.Duration) (*NotebookServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("make a token: %w", err)
	}

	s := &NotebookServer{
		URL:     "http://127.0.0.1:" + strconv.Itoa(port),
		Token:   hex.EncodeToString(raw[:]),
		LogPath: filepath.Join(workDir, "jupyter.log"),
		exited:  make(chan struct{}),
	}
	runtimeDir := filepath.Join(workDir, "runtime")
	checkpoints := filepath.Join(workDir, "checkpoints")
	for _, dir := range []string{runtimeDir, checkpoints} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}

	args := []string{"notebook",
		"--no-browser",
		"--ip=127.0.0.1",
		"--port=" + strconv.Itoa(port),
		"--NotebookApp.port_retries=0",
		"--notebook-dir=" + root,
		"--NotebookApp.token=" + s.Token,
		"--NotebookApp.password=",
		"--ContentsManager.allow_hidden=True",
		// An absolute folder, so that no .ipynb_checkpoints folder appears
		// next to the notebooks.
		"--FileCheckpoints.checkpoint_dir=" + checkpoints,
		// A backstop for a test process that dies before Stop: the server
		// ends idle kernels after 10 minutes and then itself after 10 minutes
		// with no kernel and no request.
		"--MappingKernelManager.cull_idle_timeout=600",
		"--MappingKernelManager.cull_interval=60",
		"--NotebookApp.shutdown_no_activity_timeout=600",
	}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}

	logFile, err := os.Create(s.LogPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	s.cmd = exec.Command("jupyter", args...)
	s.cmd.Dir = root
	s.cmd.Env = append(append(os.Environ(), env...), "JUPYTER_RUNTIME_DIR="+runtimeDir)
	s.cmd.Stdout = logFile
	s.cmd.Stderr = logFile
	// Its own process group, so that Stop can end the server together with
	// what it started in that group.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start jupyter notebook: %w; on Debian install it with "+
			"`apt-get install --no-install-recommends jupyter-notebook`", err)
	}

	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(timeout); err != nil {
		// No kernel runs yet, so Stop has nothing to report.
		_ = s.Stop(func(string, ...any) {})
		return nil, fmt.Errorf("%w\n%s", err, s.LogTail(30))
	}
	return s, nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *NotebookServer) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("jupyter notebook exited before it served (%v); log %s", s.err, s.LogPath)
		default:
		}
		var status map[string]any
		if err := s.getJSON("/api/status", &status); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jupyter notebook did not respond on %s within %s; see its log %s", s.URL, timeout, s.LogPath)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// NotebookURL returns the page URL of the notebook at rel, a slash-separated
// path under the server's notebook folder, with the token.
func (s *NotebookServer) NotebookURL(rel string) string {
	return s.URL + "/notebooks/" + (&url.URL{Path: rel}).EscapedPath() + "?token=" + s.Token
}

// request sends an API request with the token to the server.
func (s *NotebookServer) request(method, path string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "token "+s.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return resp, nil
}

func (s *NotebookServer) getJSON(path string, v any) error {
	resp, err := s.request(http.MethodGet, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// Stop shuts the kernels down through the API and stops the server with
// SIGTERM, or SIGKILL after 15 s. Then it kills what the server started and
// left running, such as a kernel that ignored the shutdown or the go command
// of a cell, and reports each such process through logf. It is safe to call
// more than once.
func (s *NotebookServer) Stop(logf func(format string, args ...any)) error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	serverPID := s.cmd.Process.Pid
	started := descendants(serverPID)

	var errs []error
	var kernels []struct {
		ID string `json:"id"`
	}
	if err := s.getJSON("/api/kernels", &kernels); err != nil {
		errs = append(errs, fmt.Errorf("list kernels: %w", err))
	}
	for _, k := range kernels {
		resp, err := s.request(http.MethodDelete, "/api/kernels/"+k.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("shut down kernel %s: %w", k.ID, err))
			continue
		}
		resp.Body.Close()
	}

	// The server leads its own process group (Setpgid in StartNotebookServer).
	_ = syscall.Kill(-serverPID, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		errs = append(errs, errors.New("jupyter notebook ignored SIGTERM for 15 s and was killed"))
		_ = syscall.Kill(-serverPID, syscall.SIGKILL)
		<-s.exited
	}

	for _, p := range started {
		if p.alive() {
			logf("process %d (%s), started by the notebook server, was still running; killed", p.pid, p.name)
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	// A process started after the list above was read is found by its
	// session or process group. jupyter_client starts each kernel in a new
	// session, and Linux does not reuse the id of a session or process group
	// while a process is in it, so these processes all descend from the server.
	own := ownSession()
	sessions := map[int]bool{}
	for _, p := range started {
		if p.sid != own {
			sessions[p.sid] = true
		}
	}
	for _, p := range allProcesses() {
		if sessions[p.sid] || p.pgid == serverPID {
			logf("process %d (%s), started by the notebook server, was still running; killed", p.pid, p.name)
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	return errors.Join(errs...)
}

// ownSession returns the session id of the test process.
func ownSession() int {
	p, ok := readProcess(os.Getpid())
	if !ok {
		return -1
	}
	return p.sid
}

// LogTail returns the last n lines of the server's log.
func (s *NotebookServer) LogTail(n int) string {
	data, err := os.ReadFile(s.LogPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// process identifies a running process by its id and start time, so that a
// later check does not mistake a new process with a reused id for it.
type process struct {
	pid, ppid, pgid, sid int
	start                string // field 22 of /proc/PID/stat, in clock ticks since boot
	name                 string
}

func (p process) alive() bool {
	q, ok := readProcess(p.pid)
	return ok && q.start == p.start
}

// readProcess reads a process's ids, name and start time from
// /proc/PID/stat. It returns false for a process that has ended, zombies
// included.
func readProcess(pid int) (process, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return process{}, false
	}
	// The name is in parentheses and may contain spaces, so the other fields
	// are read after the last ')'.
	text := string(data)
	open, end := strings.IndexByte(text, '('), strings.LastIndexByte(text, ')')
	if open < 0 || end < open {
		return process{}, false
	}
	// fields[0] is field 3 of proc(5), the state, so field N is fields[N-3].
	fields := strings.Fields(text[end+1:])
	if len(fields) < 20 || fields[0] == "Z" {
		return process{}, false
	}
	var ids [3]int
	for i, field := range fields[1:4] { // ppid, pgrp, session
		if ids[i], err = strconv.Atoi(field); err != nil {
			return process{}, false
		}
	}
	return process{pid: pid, ppid: ids[0], pgid: ids[1], sid: ids[2], start: fields[19],
		name: text[open+1 : end]}, true
}

// allProcesses returns the running processes, read from /proc (Linux only;
// elsewhere it returns none).
func allProcesses() []process {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProcess(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// descendants returns the running descendants of the process pid.
func descendants(pid int) []process {
	children := map[int][]process{}
	for _, p := range allProcesses() {
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []process
	queue := []int{pid}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		for _, c := range children[next] {
			out = append(out, c)
			queue = append(queue, c.pid)
		}
	}
	return out
}
