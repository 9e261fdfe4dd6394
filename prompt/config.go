package prompt

import (
	"errors"
	"fmt"
	"os"

	"icl/config"
	"icl/task"
)

// Config describes a set of prompts: the class they are drawn from, the input
// dimension, the number of points per prompt, how many prompts, the seed and
// the setting. It is the YAML that `icl sample -config` reads.
type Config struct {
	Task    task.Spec `yaml:"task"`
	Dim     int       `yaml:"dim"`
	Points  int       `yaml:"points"`
	Prompts int       `yaml:"prompts"`
	Seed    uint64    `yaml:"seed"`
	Setting Setting   `yaml:"setting,omitempty"`
}

// DefaultConfig is the paper's default mixture, 0.5 dense linear + 0.5 sparse
// linear (2 of 20), with 41 points per prompt and 1280 prompts.
func DefaultConfig() Config {
	return Config{
		Task: task.Spec{Class: task.ClassMixture, Weights: []float64{0.5, 0.5},
			Of: []task.Spec{{Class: task.ClassDenseLinear}, {Class: task.ClassSparseLinear, K: 2}}},
		Dim: 20, Points: 41, Prompts: 1280, Seed: 1,
	}
}

// Validate reports every invalid field, each naming its path and the allowed values.
func (c Config) Validate() error {
	var errs []error
	if c.Dim < 1 {
		errs = append(errs, &config.Error{Path: "dim", Msg: fmt.Sprintf("%d must be >= 1", c.Dim)})
	}
	if c.Points < 1 {
		errs = append(errs, &config.Error{Path: "points", Msg: fmt.Sprintf("%d must be >= 1", c.Points)})
	}
	if c.Prompts < 1 {
		errs = append(errs, &config.Error{Path: "prompts", Msg: fmt.Sprintf("%d must be >= 1", c.Prompts)})
	}
	if c.Dim >= 1 {
		if err := c.Task.ValidatePath("task", c.Dim); err != nil {
			errs = append(errs, err)
		}
		if err := c.Setting.ValidatePath("setting", c.Dim); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LoadConfig reads a Config from a YAML file, strictly (unknown fields are
// errors), and validates it. Omitted fields keep DefaultConfig's values,
// except task, which must be given.
func LoadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	c := DefaultConfig()
	c.Task = task.Spec{}
	if err := config.Decode(f, &c); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if c.Task.Class == "" {
		return Config{}, fmt.Errorf("%s: task: missing; allowed classes: %v", path, task.ClassNames)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Draw builds the class and samples the prompts, prompt p from
// rng.New(Seed, labels..., p).
func (c Config) Draw(labels ...uint64) (*Batch, task.Class, error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	cl, err := c.Task.Build(c.Dim)
	if err != nil {
		return nil, nil, err
	}
	s := Sampler{Class: cl, Setting: c.Setting}
	return s.Batch(c.Prompts, c.Points, c.Seed, labels...), cl, nil
}
