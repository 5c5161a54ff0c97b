package credit

import (
	"fmt"
	"math"

	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
)

// Sample is a response drawn from the policy for a prompt, with the correct
// response to that prompt.
type Sample struct {
	// Seq is the prompt followed by the sampled response.
	Seq policy.Sequence `json:"seq"`
	// Expected is the correct response, EOS included.
	Expected []int32 `json:"expected"`
}

// NewSamples pairs the i-th prompt with the i-th sampled response, as
// policy.Sampler.Generate returns them, and the i-th correct response (EOS
// included). It returns an error, naming the index, for lists of different
// lengths, an empty prompt, response or correct response.
func NewSamples(prompts, responses, expected [][]int32) ([]Sample, error) {
	if len(responses) != len(prompts) || len(expected) != len(prompts) {
		return nil, fmt.Errorf("%d prompts, %d responses and %d correct responses: pass one of each per sample",
			len(prompts), len(responses), len(expected))
	}
	out := make([]Sample, len(prompts))
	for i := range prompts {
		switch {
		case len(prompts[i]) == 0:
			return nil, fmt.Errorf("sample %d has an empty prompt", i)
		case len(responses[i]) == 0:
			return nil, fmt.Errorf("sample %d has an empty response: a sampled response has at least one token", i)
		case len(expected[i]) == 0:
			return nil, fmt.Errorf("sample %d has an empty correct response: it needs the response tokens and EOS", i)
		}
		tokens := append(append([]int32(nil), prompts[i]...), responses[i]...)
		out[i] = Sample{
			Seq:      policy.Sequence{Tokens: tokens, PromptLen: len(prompts[i])},
			Expected: append([]int32(nil), expected[i]...),
		}
	}
	return out, nil
}

// FirstWrong returns the first response position where response differs from
// expected, or −1 when they are equal. When one is a strict prefix of the
// other, the position is the length of the shorter. So a response that stops
// early with EOS differs at its EOS. A response that runs on past the
// expected EOS differs at the token in the EOS's place or after it. A
// response that is a strict prefix of expected (cut off before its EOS)
// returns len(response), a position the response has no token at.
func FirstWrong(response, expected []int32) int {
	n := min(len(response), len(expected))
	for t := range n {
		if response[t] != expected[t] {
			return t
		}
	}
	if len(response) == len(expected) {
		return -1
	}
	return n
}

// LocalisationRecord is the outcome of error localisation on one sample.
// Response positions count from 0 at the first response token.
type LocalisationRecord struct {
	// Index is the sample's index in the input.
	Index    int     `json:"index"`
	Prompt   []int32 `json:"prompt"`
	Response []int32 `json:"response"`
	Expected []int32 `json:"expected"`
	Correct  bool    `json:"correct"`
	// FirstWrong is FirstWrong(Response, Expected): −1 for a correct sample.
	FirstWrong int `json:"first_wrong"`
	// Scored reports whether the sample enters the AUC and the top-1 rate: it
	// is incorrect and has a token at FirstWrong. A response cut off before
	// the EOS of a correct prefix has none.
	Scored bool `json:"scored"`
	// Reward and SFTLogProb are r̂ and log π_SFT per response position.
	Reward     []float32 `json:"reward"`
	SFTLogProb []float32 `json:"sft_log_prob"`
	// Lowest and LowestSFTOnly are the position of the lowest r̂ and of the
	// lowest log π_SFT over 0 … FirstWrong (the earliest on ties); −1 when not
	// scored.
	Lowest        int `json:"lowest"`
	LowestSFTOnly int `json:"lowest_sft_only"`
	// Top1 and Top1SFTOnly are 1/m when the minimum over 0 … FirstWrong is
	// reached at FirstWrong and at m − 1 earlier positions (1 without ties),
	// and 0 otherwise. This is the chance that the first wrong token is
	// picked when ties are broken uniformly.
	Top1        float64 `json:"top1"`
	Top1SFTOnly float64 `json:"top1_sft_only"`
}

// LocalisationSummary holds the scalars of one localisation run, one value
// per run, as the input of an interval across seeds.
type LocalisationSummary struct {
	Samples int `json:"samples"`
	// Incorrect counts the samples that differ from their correct response,
	// and Scored those of them with a token at the first wrong position.
	Incorrect int `json:"incorrect"`
	Scored    int `json:"scored"`
	// Tokens is the number of tokens in the AUC: per scored sample, the first
	// wrong token and the correct tokens before it.
	Tokens int `json:"tokens"`
	// AUC is the ROC AUC of −r̂ for telling the first wrong tokens (positive)
	// from the correct tokens before them (negative), ties counting half.
	// AUCSFTOnly is the same with −log π_SFT. 0.5 is chance.
	AUC        float64 `json:"auc"`
	AUCSFTOnly float64 `json:"auc_sft_only"`
	// Top1Rate and Top1RateSFTOnly average Top1 and Top1SFTOnly over the
	// scored samples. Top1Chance is the rate of a uniformly random position,
	// the mean of 1/(FirstWrong + 1).
	Top1Rate        float64 `json:"top1_rate"`
	Top1RateSFTOnly float64 `json:"top1_rate_sft_only"`
	Top1Chance      float64 `json:"top1_chance"`
}

// LocalisationResult is the full outcome of Localise.
type LocalisationResult struct {
	// Reward is the kind of r̂ scored; LocaliseScored leaves it empty.
	Reward  reward.Kind          `json:"reward,omitempty"`
	Summary LocalisationSummary  `json:"summary"`
	Records []LocalisationRecord `json:"records"`
}

// Write stores r as indented JSON at path, replacing it atomically.
func (r LocalisationResult) Write(path string) error { return jsonfile.Write(path, r) }

// ReadLocalisation reads a LocalisationResult stored by Write.
func ReadLocalisation(path string) (LocalisationResult, error) {
	var r LocalisationResult
	err := jsonfile.Read(path, &r)
	return r, err
}

// Localise scores the samples with scorer, DefaultBatchSize sequences at a
// time, and measures with LocaliseScored how well a low r̂ points at the
// first wrong token of each incorrect sample. One scoring pass gives both r̂
// and log π_SFT, so the "baseline removal" comparison costs nothing extra.
func Localise(scorer *reward.Scorer, samples []Sample) (LocalisationResult, error) {
	if scorer == nil {
		return LocalisationResult{}, fmt.Errorf("error localisation needs a dense-reward scorer: pass a *reward.Scorer")
	}
	if err := validateSamples(samples); err != nil {
		return LocalisationResult{}, err
	}
	seqs := make([]policy.Sequence, len(samples))
	for i, s := range samples {
		seqs[i] = s.Seq
	}
	dense, err := scorer.Score(seqs, DefaultBatchSize)
	if err != nil {
		return LocalisationResult{}, fmt.Errorf("score the samples: %w", err)
	}
	res, err := LocaliseScored(samples, dense)
	if err != nil {
		return LocalisationResult{}, err
	}
	res.Reward = scorer.Kind()
	return res, nil
}

// LocaliseScored is Localise on scores already taken: dense.Reward[i] and
// dense.SFTLogProb[i] belong to the response of samples[i]. It returns an
// error naming the sample for missing or mismatched scores and for NaN, and
// one wrapping ErrUndefinedAUC when no sample is scored or every scored
// sample is wrong at position 0, so that no correct token precedes one.
func LocaliseScored(samples []Sample, dense reward.Dense) (LocalisationResult, error) {
	if err := validateSamples(samples); err != nil {
		return LocalisationResult{}, err
	}
	if len(dense.Reward) != len(samples) || len(dense.SFTLogProb) != len(samples) {
		return LocalisationResult{}, fmt.Errorf("%d samples but %d reward rows and %d log π_SFT rows: "+
			"score the samples' sequences, in order, with reward.Scorer.Score",
			len(samples), len(dense.Reward), len(dense.SFTLogProb))
	}

	res := LocalisationResult{Records: make([]LocalisationRecord, len(samples))}
	sum := &res.Summary
	sum.Samples = len(samples)
	// Detector scores: −r̂ and −log π_SFT, so that higher means "more likely wrong".
	var posReward, negReward, posSFT, negSFT []float64
	for i, s := range samples {
		rec, err := localiseOne(i, s, dense.Reward[i], dense.SFTLogProb[i])
		if err != nil {
			return LocalisationResult{}, err
		}
		res.Records[i] = rec
		if rec.Correct {
			continue
		}
		sum.Incorrect++
		if !rec.Scored {
			continue
		}
		sum.Scored++
		w := rec.FirstWrong
		sum.Tokens += w + 1
		sum.Top1Rate += rec.Top1
		sum.Top1RateSFTOnly += rec.Top1SFTOnly
		sum.Top1Chance += 1 / float64(w+1)
		posReward = append(posReward, -float64(rec.Reward[w]))
		posSFT = append(posSFT, -float64(rec.SFTLogProb[w]))
		for t := range w {
			negReward = append(negReward, -float64(rec.Reward[t]))
			negSFT = append(negSFT, -float64(rec.SFTLogProb[t]))
		}
	}

	if sum.Incorrect == 0 {
		return LocalisationResult{}, fmt.Errorf("%w: all %d samples are correct, so there is no wrong "+
			"token to localise: sample more prompts", ErrUndefinedAUC, len(samples))
	}
	if sum.Scored == 0 {
		return LocalisationResult{}, fmt.Errorf("%w: the %d incorrect samples were all cut off before "+
			"their EOS, so none has a wrong token: raise the response length limit or sample more prompts",
			ErrUndefinedAUC, sum.Incorrect)
	}
	var err error
	if sum.AUC, err = AUC(posReward, negReward); err != nil {
		return LocalisationResult{}, fmt.Errorf("AUC of −r̂ over %d scored samples: every first wrong token "+
			"is at response position 0: %w", sum.Scored, err)
	}
	if sum.AUCSFTOnly, err = AUC(posSFT, negSFT); err != nil {
		return LocalisationResult{}, fmt.Errorf("AUC of −log π_SFT: %w", err)
	}
	n := float64(sum.Scored)
	sum.Top1Rate /= n
	sum.Top1RateSFTOnly /= n
	sum.Top1Chance /= n
	return res, nil
}

// validateSamples rejects an empty list, an invalid sequence and an empty
// correct response, naming the sample.
func validateSamples(samples []Sample) error {
	if len(samples) == 0 {
		return fmt.Errorf("no samples to localise errors in: pass at least one")
	}
	for i, s := range samples {
		if err := s.Seq.Validate(); err != nil {
			return fmt.Errorf("sample %d: %w", i, err)
		}
		if len(s.Expected) == 0 {
			return fmt.Errorf("sample %d has an empty correct response: Expected needs the response tokens and EOS", i)
		}
	}
	return nil
}

// localiseOne builds the record of sample i from its reward and log π_SFT rows.
func localiseOne(i int, s Sample, rewards, sftLogProb []float32) (LocalisationRecord, error) {
	response := s.Seq.Response()
	if len(rewards) != len(response) || len(sftLogProb) != len(response) {
		return LocalisationRecord{}, fmt.Errorf("sample %d: %d rewards and %d log π_SFT values for %d "+
			"response tokens: score the samples' own sequences", i, len(rewards), len(sftLogProb), len(response))
	}
	for t := range response {
		if math.IsNaN(float64(rewards[t])) || math.IsNaN(float64(sftLogProb[t])) {
			return LocalisationRecord{}, fmt.Errorf("sample %d: r̂ = %g and log π_SFT = %g at response "+
				"position %d; a NaN score cannot be ranked", i, rewards[t], sftLogProb[t], t)
		}
	}
	w := FirstWrong(response, s.Expected)
	rec := LocalisationRecord{
		Index: i, Prompt: s.Seq.Prompt(), Response: response, Expected: s.Expected,
		Correct: w < 0, FirstWrong: w, Scored: w >= 0 && w < len(response),
		Reward: rewards, SFTLogProb: sftLogProb, Lowest: -1, LowestSFTOnly: -1,
	}
	if rec.Scored {
		rec.Lowest, rec.Top1 = topOne(rewards[:w+1])
		rec.LowestSFTOnly, rec.Top1SFTOnly = topOne(sftLogProb[:w+1])
	}
	return rec, nil
}

// topOne returns the earliest position of the minimum of x and 1/m when the
// last element is one of the m elements that reach it, 0 otherwise.
func topOne(x []float32) (lowest int, credit float64) {
	for t, v := range x {
		if v < x[lowest] {
			lowest = t
		}
	}
	last := x[len(x)-1]
	if last != x[lowest] {
		return lowest, 0
	}
	ties := 0
	for _, v := range x {
		if v == last {
			ties++
		}
	}
	return lowest, 1 / float64(ties)
}
