package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkFolder checks that the kit's commands can write into the folder
// name under the working directory by creating a temporary file there and
// removing it. When the folder does not exist yet, it checks its nearest
// existing parent instead, where the commands would create it.
func checkFolder(name string) Check {
	c := Check{Name: name + "/"}
	dir, err := filepath.Abs(name)
	if err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("invalid folder %q: %v", name, err)
		c.Fix = "run dpr from an existing working directory"
		return c
	}

	target := dir
	for {
		info, err := os.Stat(target)
		if err == nil && !info.IsDir() {
			c.Status = Fail
			c.Detail = fmt.Sprintf("%s is a file, but the commands need a folder there", target)
			c.Fix = fmt.Sprintf("mv %s %s.old", shellQuote(target), shellQuote(target))
			return c
		}
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(target) == target {
			c.Status = Fail
			c.Detail = fmt.Sprintf("cannot read %s: %v", target, err)
			c.Fix = fmt.Sprintf("chmod u+rx %s", shellQuote(filepath.Dir(target)))
			return c
		}
		target = filepath.Dir(target)
	}

	if err := writeTempFile(target); err != nil {
		c.Status = Fail
		c.Detail = err.Error()
		c.Fix = fmt.Sprintf("chmod u+w %s, or run dpr from a writable folder", shellQuote(target))
		return c
	}
	c.Status = OK
	if target == dir {
		c.Detail = dir + " is writable"
	} else {
		c.Detail = fmt.Sprintf("%s does not exist yet; %s is writable, so the commands can create it",
			dir, target)
	}
	return c
}

// writeTempFile creates an empty file in dir and removes it.
func writeTempFile(dir string) error {
	f, err := os.CreateTemp(dir, ".dpr-doctor-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	name := f.Name()
	closeErr := f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("created %s but could not remove it: %w", name, err)
	}
	if closeErr != nil {
		return fmt.Errorf("%s is not writable: %w", dir, closeErr)
	}
	return nil
}
