// Package train pretrains a gpt.Model on prompts drawn from a task mixture.
//
// A run is described by a Config (YAML, strictly decoded): the task mixture, the
// input dimension and points per prompt, the model size, the optimizer and its
// learning-rate schedule, the curriculum over active dimensions and points, the
// batch size and number of steps, the seed, and how often to log, evaluate and
// checkpoint. Run trains into a run directory:
//
//	config.yaml              the resolved config (defaults filled in)
//	metrics.jsonl            one JSON object per line: train, eval, resume, done events
//	ckpt-00001000.safetensors  the last two checkpoints (weights, Adam moments, step, config,
//	                         numerics), and those of every keep_checkpoints_every steps
//	model.safetensors        the final weights, in gpt's tensor names
//	done                     written last, when the run completed
//	.lock                    names the writer while it runs (package dirlock: the lock is on
//	                         the directory itself, one process at a time)
//
// A config gives a value or leaves the field out: left out, it takes its
// default; given, it is used or refused by name (batch: 0 is an error, not 64;
// beta1: 0 is used). Run and Resume estimate the memory a session needs
// (Config.MemoryParts) and refuse, naming the settings, before allocating or
// making the directory. Resume removes the temporaries of writes a kill
// interrupted, and keeps a metrics.jsonl with lines it cannot read beside it
// (metrics.jsonl.corrupt) before dropping them.
//
// A config (see Config for every field and its default):
//
//	name: quick/dense_linear
//	seed: 1
//	task:                      # a task.Spec: the pretraining mixture
//	  class: mixture
//	  weights: [0.5, 0.5]
//	  of:
//	    - class: dense_linear
//	    - {class: sparse_linear, k: 2}
//	data: {dim: 5, points: 11} # final input dimension and points per prompt
//	model: {layers: 2, width: 32, heads: 2}
//	train:
//	  steps: 3000
//	  batch: 128
//	  optimizer: {beta1: 0.9, beta2: 0.999, eps: 1.0e-8, weight_decay: 0}
//	  schedule: {kind: warmup_cosine, lr: 0.001, min_lr: 0.0001, warmup_steps: 100}
//	                           # decay_steps: N puts min_lr at step N instead of at the
//	                           # last step: steps < N stops partway down a longer run's cosine
//	  grad_clip: 1             # 0: no clipping
//	  loss: mse                # or normalized: each prompt's error / its class's scale
//	curriculum:                # omitted: off
//	  dims: {start: 5, end: 20, inc: 1, interval: 2000}
//	  points: {start: 11, end: 41, inc: 2, interval: 2000}
//	log_every: 50
//	eval_every: 500
//	eval_batch: 256
//	checkpoint_every: 500
//
// Everything that decides the trajectory is a function of (config, step): the batch
// of step s comes from rng.New(seed, rng.LabelTrain, s), the curriculum and the
// learning rate are computed from s, and a checkpoint stores parameters and Adam
// moments as float32 bits. So Resume continues a run bit for bit, whatever the
// number of goroutines and wherever the run stopped, even after SIGKILL.
package train
