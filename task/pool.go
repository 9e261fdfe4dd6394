package task

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"icl/rng"
)

// Pool is a finite set of M functions drawn once from Base (Raventós et al.
// 2023): the functions are Base.Sample(rng.New(Seed, rng.LabelPool)) called M
// times in order, made on first use. Sample picks one of them uniformly.
//
// Scale is Base.Scale(), the normalizer of the distribution the pool was drawn
// from; the pool's own E f^2 differs from it by O(1/sqrt(M)).
//
// A Pool must not be copied after first use.
type Pool struct {
	Base Class
	M    int
	Seed uint64

	once sync.Once
	fns  []Func
}

func (c *Pool) build() {
	c.once.Do(func() {
		r := rng.New(c.Seed, rng.LabelPool)
		c.fns = make([]Func, c.M)
		for i := range c.fns {
			c.fns[i] = c.Base.Sample(r)
		}
	})
}

// Funcs returns the M pool functions in draw order. Callers must not modify
// the slice.
func (c *Pool) Funcs() []Func {
	c.build()
	return c.fns
}

// Pick draws a pool index uniformly from 0..M-1.
func (c *Pool) Pick(r *rand.Rand) int { return r.IntN(c.M) }

func (c *Pool) Dim() int       { return c.Base.Dim() }
func (c *Pool) Scale() float64 { return c.Base.Scale() }
func (c *Pool) Name() string   { return fmt.Sprintf("pool of %d %s", c.M, c.Base.Name()) }

// Sample returns a uniformly chosen pool function.
func (c *Pool) Sample(r *rand.Rand) Func {
	c.build()
	return c.fns[c.Pick(r)]
}
