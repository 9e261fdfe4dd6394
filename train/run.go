package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"icl/atomicfile"
	"icl/gpt"
	"icl/gpt/kernels"
	"icl/internal/dirlock"
	"icl/rng"
	"icl/safetensors"
)

// Files of a run directory.
const (
	ConfigFile  = "config.yaml"
	MetricsFile = "metrics.jsonl"
	ModelFile   = "model.safetensors"
	DoneFile    = "done"
)

// keepCheckpoints is how many checkpoints a run directory keeps.
const keepCheckpoints = 2

// Options control what a run prints; they do not change what it computes.
type Options struct {
	Quiet    bool      // only errors, warnings and the final summary
	Verbose  bool      // also per-position losses at every evaluation
	Progress io.Writer // where progress goes; nil means os.Stderr
	// IsTerminal selects the live progress bar (see StderrIsTerminal) instead of
	// plain periodic lines.
	IsTerminal bool
	// OnStep, when set, is called after every training step with the run's
	// progress, on the training goroutine (keep it cheap). A caller that
	// shows progress itself (icl reproduce's display of several runs) uses
	// it with Quiet instead of reading the printed lines back.
	OnStep func(StepProgress)
	// StopAtZero ends a run whose evaluations have stayed at the zero
	// predictor's loss for plateauEvals evaluations in a row at the
	// curriculum's last stage (the streak icl train warns of; no run has been
	// seen to leave it): it saves a checkpoint and returns a
	// *ZeroPredictorError instead of training on. A resumed run already in
	// such a streak stops before its first step.
	StopAtZero bool
}

// Result summarizes a finished run.
type Result struct {
	Dir   string
	Steps int         // completed updates
	WallS float64     // training wall time over all sessions, seconds
	Eval  *EvalResult // final evaluation; nil when AlreadyDone
	// AlreadyDone is set by Resume on a run that had completed before.
	AlreadyDone bool
}

// InterruptedError is returned when the context was cancelled (SIGINT/SIGTERM in
// the command): the run saved a checkpoint after Step updates.
type InterruptedError struct {
	Dir        string
	Step       int
	Checkpoint string
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("training interrupted after step %d; checkpoint saved to %s; continue with: icl train -resume %s",
		e.Step, e.Checkpoint, e.Dir)
}

// NonFiniteError is returned when the loss or the gradient became NaN or Inf.
// The bad state is not checkpointed; LastCheckpoint is the newest good one ("" if
// none was written yet).
type NonFiniteError struct {
	Step           int    // the 0-based step whose loss/gradient was not finite
	What           string // "loss" or "gradient norm"
	Value          float64
	LastCheckpoint string
}

func (e *NonFiniteError) Error() string {
	keep := "no checkpoint was written yet"
	if e.LastCheckpoint != "" {
		keep = "the last good checkpoint is " + e.LastCheckpoint
	}
	return fmt.Sprintf("training stopped: %s is %v at step %d (try a smaller learning rate or gradient clipping); %s",
		e.What, e.Value, e.Step, keep)
}

// ZeroPredictorError is returned under Options.StopAtZero: the run's
// evaluations stayed at the zero predictor's loss from step From to Step, and
// it stopped there with a checkpoint.
type ZeroPredictorError struct {
	Dir        string
	From, Step int
	Seed       uint64
	Checkpoint string
}

func (e *ZeroPredictorError) Error() string {
	return fmt.Sprintf("stopped at step %d: the evaluation loss has stayed at the zero predictor's (normalized >= %g) "+
		"at every evaluation from step %d on, and no run has been seen to leave such a streak. Train it again from "+
		"another seed (the config's seed is %d), or continue it anyway with icl train -resume %s",
		e.Step, plateauLoss, e.From, e.Seed, e.Dir)
}

// IsDone reports whether the run in dir completed: its done file vouches
// for its model (CheckDone).
func IsDone(dir string) bool { return CheckDone(dir) == nil }

// doneRecord is the done file: written last, it vouches for model.safetensors.
type doneRecord struct {
	Step        int     `json:"step"`
	WallS       float64 `json:"wall_s"`
	Loss        float64 `json:"eval_loss"`
	NormLoss    float64 `json:"eval_loss_norm"`
	ModelSHA256 string  `json:"model_sha256,omitempty"` // absent in runs trained before it was recorded
}

// CheckDone returns nil if dir's done file records a completed run and its
// model file is the one it vouches for (the SHA-256 it records; for a done
// file without one, a model that loads and was saved at the done file's
// step), and otherwise an error saying what is wrong (an *os.PathError
// satisfying os.IsNotExist when there is no done file).
func CheckDone(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, DoneFile))
	if err != nil {
		return err
	}
	var d doneRecord
	if err := json.Unmarshal(b, &d); err != nil || d.Step < 1 {
		return fmt.Errorf("%s does not record a completed run (want JSON with a step >= 1): %q", filepath.Join(dir, DoneFile), bytes.TrimSpace(b))
	}
	mpath := filepath.Join(dir, ModelFile)
	mb, err := os.ReadFile(mpath)
	if err != nil {
		return fmt.Errorf("%s vouches for %s, which cannot be read: %w", filepath.Join(dir, DoneFile), mpath, err)
	}
	if d.ModelSHA256 != "" {
		if sum := sha256.Sum256(mb); hex.EncodeToString(sum[:]) != d.ModelSHA256 {
			return fmt.Errorf("%s has SHA-256 %x, %s records %s: the model was changed after the run finished",
				mpath, sum, filepath.Join(dir, DoneFile), d.ModelSHA256)
		}
		return nil
	}
	f, err := safetensors.Read(bytes.NewReader(mb), int64(len(mb)))
	if err != nil {
		return fmt.Errorf("%s: %w", mpath, err)
	}
	if f.Meta["step"] != strconv.Itoa(d.Step) {
		return fmt.Errorf("%s was saved at step %q, %s records step %d", mpath, f.Meta["step"], filepath.Join(dir, DoneFile), d.Step)
	}
	if _, _, err := ModelFromFile(f, mpath); err != nil {
		return err
	}
	return nil
}

// Run trains cfg from scratch into dir, which must not already hold a run.
// Run and Resume hold dir's lock (package dirlock) while they write it: a
// second writer is refused with the holder's process id.
// cfg is complete, as DecodeConfig returns it or after Defaults: Run does not
// fill defaults, so that a value the config gives (beta1: 0) is the one trained.
func Run(ctx context.Context, cfg *Config, dir string, opts Options) (*Result, error) {
	c := *cfg
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := c.CheckMemory(); err != nil { // before dir is made: a refusal leaves nothing behind
		return nil, err
	}
	text, err := c.YAML()
	if err != nil {
		return nil, err
	}
	// Round trip: the config a resumed run reads must be the one we train.
	back, err := DecodeConfig(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("resolved config does not decode: %w", err)
	}
	_, statErr := os.Stat(dir)
	created := os.IsNotExist(statErr)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := dirlock.Acquire(dir)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a run (%s exists): continue it with -resume or choose another directory", dir, ConfigFile)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ConfigFile), text); err != nil {
		if created { // leave no half-made run directory behind
			lock.Release()
			os.Remove(filepath.Join(dir, dirlock.Name))
			os.Remove(dir)
		}
		return nil, err
	}
	return loop(ctx, back, string(text), dir, nil, "", opts)
}

// Resume continues the run in dir from its newest valid checkpoint (from scratch
// if none was written). A corrupt newer checkpoint is reported on the progress
// writer and the previous one used. A completed run is left as it is.
//
// The checkpoint may have been written under a config that differs from
// config.yaml in name, train.steps and train.schedule.decay_steps, where the
// learning rate is the same at every step (see continues): that extends a
// run, or ends it at one of its checkpoints, with the weights a run
// configured so from the start has.
func Resume(ctx context.Context, dir string, opts Options) (*Result, error) {
	text, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("cannot resume %s: %w", dir, err)
	}
	cfg, err := DecodeConfig(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
	}
	if err := cfg.CheckMemory(); err != nil {
		return nil, err
	}
	lock, err := dirlock.Acquire(dir)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	switch err := CheckDone(dir); {
	case err == nil:
		return &Result{Dir: dir, AlreadyDone: true}, nil
	case !os.IsNotExist(err):
		return nil, fmt.Errorf("cannot resume %s: it has a done file, but %w; remove %s to train the run's last steps again",
			dir, err, filepath.Join(dir, DoneFile))
	}
	p := newProgress(cfg, opts)
	if err := removeTemporaries(dir, func(msg string) { p.message(false, "%s", msg) }); err != nil {
		return nil, err
	}
	nParams := cfg.GPT().NumParams()
	ck, path, err := LatestCheckpoint(dir, nParams, func(msg string) { p.message(true, "%s", msg) })
	if err != nil {
		return nil, err
	}
	if ck != nil {
		if err := continues(ck.Config, ck.Step, cfg, string(text)); err != nil {
			return nil, fmt.Errorf("checkpoint %s cannot continue under %s: %w", path, filepath.Join(dir, ConfigFile), err)
		}
		if ck.Config != string(text) {
			p.message(true, "%s was written under another name, train.steps or decay_steps; "+
				"continuing under %s, with the same learning rates", filepath.Base(path), ConfigFile)
		}
	}
	// Checkpoints newer than the one used are corrupt: set them aside so that they
	// are neither used nor kept as one of the last two.
	paths, err := ListCheckpoints(dir)
	if err != nil {
		return nil, err
	}
	for _, q := range paths {
		if q == path {
			break
		}
		if err := os.Rename(q, q+".corrupt"); err != nil {
			return nil, err
		}
	}
	return loop(ctx, cfg, string(text), dir, ck, path, opts)
}

// temporaryName matches the temporary files of a run directory's atomic
// writes (package atomicfile: "." + name + ".tmp" + digits), which a process
// killed while writing leaves behind.
var temporaryName = regexp.MustCompile(`^\.(ckpt-\d+\.safetensors|` + regexp.QuoteMeta(ModelFile) + `|` +
	regexp.QuoteMeta(MetricsFile) + `|` + regexp.QuoteMeta(ConfigFile) + `|` + regexp.QuoteMeta(DoneFile) + `)\.tmp\d*$`)

// removeTemporaries deletes the temporary files that writers killed in dir
// left, reporting what it removed through say. The caller holds dir's lock,
// so no writer is using them.
func removeTemporaries(dir string, say func(string)) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	n, size := 0, int64(0)
	for _, e := range ents {
		if !temporaryName.MatchString(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil {
			size += info.Size()
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		say(fmt.Sprintf("removed %d temporary file(s) (%d bytes) left in %s by an interrupted write", n, size, dir))
	}
	return nil
}

func newProgress(cfg *Config, opts Options) *progress {
	w := opts.Progress
	if w == nil {
		w = os.Stderr
	}
	return &progress{w: w, term: opts.IsTerminal, quiet: opts.Quiet, verbose: opts.Verbose, total: cfg.Train.Steps}
}

func loop(ctx context.Context, cfg *Config, cfgText, dir string, ck *Checkpoint, ckPath string, opts Options) (*Result, error) {
	p := newProgress(cfg, opts)
	t, err := newTrainer(cfg)
	if err != nil {
		return nil, err
	}
	if t.model.Precision == gpt.BF16 && gpt.PrecisionKernel(gpt.BF16) != "avx512bf16" {
		p.message(true, "warning: train.precision is bf16 but its products run in plain Go here (bf16 kernel %q; "+
			"AVX512-BF16 on this CPU: %v): the same bits, many times slower than on a CPU with it", gpt.PrecisionKernel(gpt.BF16), kernels.HasBF16())
	}
	numerics := gpt.NumericsID(t.model.Precision)
	start, wall0 := 0, 0.0
	if ck != nil {
		if ck.Numerics == "" {
			ck.Numerics = gpt.LegacyNumerics(t.model.Precision)
		}
		if ids := strings.Split(ck.Numerics, ","); ids[len(ids)-1] != numerics {
			p.message(true, "note: %s was trained under numerics %s and goes on under %s: from step %d its bits differ "+
				"from a run trained under one of them throughout (the model file records both)", dir, ck.Numerics, numerics, ck.Step)
			numerics = ck.Numerics + "," + numerics
		} else {
			numerics = ck.Numerics
		}
		copy(t.model.Params, ck.Params)
		copy(t.opt.M, ck.M)
		copy(t.opt.V, ck.V)
		t.opt.Step = ck.AdamStep
		start, wall0 = ck.Step, ck.WallS
	} else {
		t.model.Init(rng.New(cfg.Seed, rng.LabelInit))
	}
	metricsPath := filepath.Join(dir, MetricsFile)
	keep := start // lines up to the checkpoint's step stay; a fresh start drops all
	if ck == nil {
		keep = -1
	}
	lost := 0.0 // training time past the checkpoint (see EventLine.LostS)
	if ck != nil {
		lost = max(0, wallAfter(metricsPath, start)-wall0)
		wall0 += lost
	}
	stuck := newPlateau(cfg.Curriculum, cfg.Train.Steps)
	// A resumed run's evaluations before its checkpoint count toward the streak.
	if err := truncateMetrics(metricsPath, keep, func(msg string) { p.message(true, "%s", msg) }, func(e EvalLine) {
		stuck.observe(e.Step, Stage{Dims: e.Dims, Points: e.Points}, e.NormLoss)
	}); err != nil {
		return nil, err
	}
	ml, err := openMetrics(metricsPath)
	if err != nil {
		return nil, err
	}
	defer ml.close()

	session := time.Now()
	wall := func() float64 { return wall0 + time.Since(session).Seconds() }
	if ck != nil {
		p.message(false, "resuming %s from %s (step %d of %d)", dir, filepath.Base(ckPath), start, cfg.Train.Steps)
		if err := ml.write(EventLine{Kind: "resume", Step: start, WallS: wall0, From: filepath.Base(ckPath), LostS: lost}); err != nil {
			return nil, err
		}
	} else {
		p.message(false, "training %s: %s, %d parameters, %d steps -> %s", cfg.Name, t.class.Name(),
			len(t.model.Params), cfg.Train.Steps, dir)
		if err := ml.write(EventLine{Kind: "start", Step: 0}); err != nil {
			return nil, err
		}
	}

	lastCkpt, lastCkptStep := ckPath, -1
	// The training loss logged every log_every steps is the mean over the
	// steps since the last line; the checkpoint carries the partial sum, so
	// that a resumed run logs what an uninterrupted one does.
	winLoss, winN := 0.0, 0
	if ck != nil {
		lastCkptStep = ck.Step
		winLoss, winN = ck.WindowLoss, ck.WindowSteps
	}
	save := func(k int) (string, error) {
		path := CheckpointPath(dir, k)
		c := &Checkpoint{Step: k, AdamStep: t.opt.Step, WallS: wall(), Config: cfgText,
			Params: t.model.Params, M: t.opt.M, V: t.opt.V, Numerics: numerics, WindowLoss: winLoss, WindowSteps: winN}
		if err := WriteCheckpoint(path, c); err != nil {
			return "", err
		}
		lastCkpt, lastCkptStep = path, k
		return path, pruneCheckpoints(dir, keepCheckpoints, cfg.KeepCheckpointsEvery)
	}
	evalAt := func(k int) (*EvalResult, error) {
		st := cfg.Curriculum.At(max(k-1, 0))
		e := t.evaluate(st)
		p.eval(k, e)
		if from, warn := stuck.observe(k, st, e.NormLoss); warn {
			p.message(true, "warning: the evaluation loss has stayed at the zero predictor's (normalized >= %g; "+
				"predicting 0 scores 1) at every evaluation from step %d to %d: the model predicts no better than 0. "+
				"Runs can stay there to the end; "+
				"if the loss does not fall soon, stop and train again with another seed.", plateauLoss, from, k)
		}
		return e, ml.write(EvalLine{Kind: "eval", Step: k, Dims: st.Dims, Points: st.Points, WallS: wall(), EvalResult: *e})
	}
	var final *EvalResult
	if start == 0 {
		if final, err = evalAt(0); err != nil {
			return nil, err
		}
	}

	steps := cfg.Train.Steps
	stopStuck := func(k int) error {
		from, ok := stuck.stuck()
		if !opts.StopAtZero || !ok || k >= steps {
			return nil
		}
		path := lastCkpt
		if k != lastCkptStep {
			if path, err = save(k); err != nil {
				return err
			}
		}
		if err := ml.write(EventLine{Kind: "interrupt", Step: k, WallS: wall()}); err != nil {
			return err
		}
		p.finish()
		return &ZeroPredictorError{Dir: dir, From: from, Step: k, Seed: cfg.Seed, Checkpoint: path}
	}
	if err := stopStuck(start); err != nil {
		return nil, err
	}
	winStart, winTime := start, time.Now()
	var lastNorm float64
	for s := start; s < steps; s++ {
		if ctx.Err() != nil {
			path := lastCkpt
			if s != lastCkptStep {
				if path, err = save(s); err != nil {
					return nil, fmt.Errorf("interrupted after step %d, and saving the checkpoint failed: %w", s, err)
				}
			}
			ml.write(EventLine{Kind: "interrupt", Step: s, WallS: wall()})
			p.finish()
			return nil, &InterruptedError{Dir: dir, Step: s, Checkpoint: path}
		}
		st := cfg.Curriculum.At(s)
		loss, norm, lr := t.step(s, st)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			p.finish()
			return nil, &NonFiniteError{Step: s, What: "loss", Value: loss, LastCheckpoint: lastCkpt}
		}
		if math.IsNaN(norm) || math.IsInf(norm, 0) {
			p.finish()
			return nil, &NonFiniteError{Step: s, What: "gradient norm", Value: norm, LastCheckpoint: lastCkpt}
		}
		k := s + 1
		if afterStepHook != nil {
			afterStepHook(k, t.model.Params)
		}
		winLoss += loss
		winN++
		lastNorm = norm
		now := time.Now()
		rate := float64(k-start) / now.Sub(session).Seconds()
		p.live(status{Step: k, Loss: loss, LR: lr, Stage: st, Rate: rate}, now, k == steps)
		if opts.OnStep != nil {
			opts.OnStep(StepProgress{Step: k, Steps: steps, Start: start, Loss: loss, Stage: st, Time: now})
		}
		if k%cfg.LogEvery == 0 || k == steps {
			wrate := float64(k-winStart) / now.Sub(winTime).Seconds()
			line := TrainLine{Kind: "train", Step: k, Loss: winLoss / float64(winN), LR: lr,
				Dims: st.Dims, Points: st.Points, StepsPS: wrate, WallS: wall(), GradNorm: lastNorm}
			if err := ml.write(line); err != nil {
				return nil, err
			}
			p.logLine(status{Step: k, Loss: line.Loss, LR: lr, Stage: st, Rate: wrate})
			winLoss, winN, winStart, winTime = 0, 0, k, now
		}
		if k%cfg.EvalEvery == 0 || k == steps {
			if final, err = evalAt(k); err != nil {
				return nil, err
			}
		}
		if k%cfg.CheckpointEvery == 0 || k == steps {
			if _, err := save(k); err != nil {
				return nil, err
			}
		}
		if k%cfg.EvalEvery == 0 {
			if err := stopStuck(k); err != nil {
				return nil, err
			}
		}
	}
	if final == nil { // resumed at the very end, before the done marker
		final = t.evaluate(cfg.Curriculum.At(steps - 1))
	}
	p.finish()
	if err := writeModel(filepath.Join(dir, ModelFile), cfg, t.model, steps, numerics); err != nil {
		return nil, err
	}
	res := &Result{Dir: dir, Steps: steps, WallS: wall(), Eval: final}
	if err := ml.write(EventLine{Kind: "done", Step: steps, WallS: res.WallS}); err != nil {
		return nil, err
	}
	mb, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(mb)
	done, _ := json.Marshal(doneRecord{Step: steps, WallS: res.WallS, Loss: final.Loss, NormLoss: final.NormLoss,
		ModelSHA256: hex.EncodeToString(sum[:])})
	if err := atomicfile.WriteBytes(filepath.Join(dir, DoneFile), append(done, '\n')); err != nil {
		return nil, err
	}
	p.message(true, "done: %s, %d steps in %s, eval loss %.4g (normalized %.4g, zero predictor 1)",
		dir, steps, FormatDuration(time.Duration(res.WallS*float64(time.Second))), final.Loss, final.NormLoss)
	if final.NormLoss >= plateauLoss {
		p.message(true, "warning: the final normalized loss %.4g is the zero predictor's (1): the model predicts no better than 0", final.NormLoss)
	}
	return res, nil
}
