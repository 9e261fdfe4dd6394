package gpt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"icl/internal/parallel"
)

// Model is a GPT-2 ICL model with its parameters, gradients and activations.
type Model struct {
	Cfg    Config
	Params []float32 // all parameters, laid out as Tensors lists them
	Grads  []float32 // gradients, same layout as Params
	W      Weights   // named views into Params
	DW     Weights   // named views into Grads

	// Prof, if not nil, accumulates the time Forward and Backward spend in
	// each kind of layer.
	Prof *Profile

	// Precision is that of the blocks' matrix products (c_attn, c_proj,
	// c_fc, mlp_proj) in Forward and Backward: FP32 (the zero value) or
	// BF16. Everything else runs in float32 at either.
	Precision Precision

	acts  []float32 // flat activation buffer, cut by carve
	a     activations
	B, N  int  // shape of the last Forward
	ready bool // a Forward (or Predict) has run, so Stream and Preds may
	grad  bool // and it kept what Backward needs (Forward, not Predict)
}

// blockActs are the stored activations of one block.
type blockActs struct {
	ln1, ln1Mean, ln1Rstd []float32 // (B,T,C), (B,T), (B,T)
	qkv                   []float32 // (B,T,3C)
	att                   []float32 // (B,H,T,Tp), Tp = attStride(T)
	atty                  []float32 // (B,T,C) attention output before c_proj
	res2                  []float32 // (B,T,C) residual after attention
	ln2, ln2Mean, ln2Rstd []float32 // (B,T,C), (B,T), (B,T)
	gelu, geluDeriv       []float32 // (B,T,4C) GELU of the c_fc output, and its derivative there
	res3                  []float32 // (B,T,C) residual after the MLP: the block's output
}

type activations struct {
	tokens  []float32 // (B,T,d+F)
	encoded []float32 // (B,T,C)
	blocks  []blockActs
	// The last block runs from its c_proj on at the x-tokens only (the rows
	// the read-out reads): on resX and attyX, the x-token rows of its input
	// and of its attention output, and its res2 .. res3 and ln_f hold BN =
	// B*N rows.
	resX, attyX           []float32 // (BN,C)
	lnf, lnfMean, lnfRstd []float32 // (BN,C), (BN), (BN)
	preds, dpreds         []float32 // (B,N)
	// Scratch shared by all layers.
	dres, dln []float32 // (B,T,C)
	dfch      []float32 // (B,T,4C)
	dqkv      []float32 // (B,T,3C)
	datty     []float32 // (B,T,C)
	datt      []float32 // (B,H,T,Tp)
}

// carve cuts activations for (B, T) out of buf, or, with buf nil, only counts
// their total size.
func (m *Model) carve(buf []float32, B, T int) (activations, int) {
	c := m.Cfg
	C, H, d, L := c.Width, c.Heads, c.In(), c.Layers
	BT := B * T
	off := 0
	take := func(n int) []float32 {
		o := off
		off += n
		if buf == nil {
			return nil
		}
		return buf[o : o+n : o+n]
	}
	var a activations
	a.tokens = take(BT * d)
	a.encoded = take(BT * C)
	a.blocks = make([]blockActs, L)
	for l := range a.blocks {
		k := &a.blocks[l]
		k.ln1, k.ln1Mean, k.ln1Rstd = take(BT*C), take(BT), take(BT)
		k.qkv = take(BT * 3 * C)
		k.att = take(B * H * T * attStride(T))
		k.atty = take(BT * C)
		k.res2 = take(BT * C)
		k.ln2, k.ln2Mean, k.ln2Rstd = take(BT*C), take(BT), take(BT)
		k.gelu, k.geluDeriv = take(BT*4*C), take(BT*4*C)
		k.res3 = take(BT * C)
	}
	BN := BT / 2
	a.resX, a.attyX = take(BN*C), take(BN*C)
	a.lnf, a.lnfMean, a.lnfRstd = take(BN*C), take(BN), take(BN)
	a.preds, a.dpreds = take(B*T/2), take(B*T/2)
	a.dres, a.dln = take(BT*C), take(BT*C)
	a.dfch = take(BT * 4 * C)
	a.dqkv = take(BT * 3 * C)
	a.datty = take(BT * C)
	a.datt = take(B * H * T * attStride(T))
	return a, off
}

// New returns a model for cfg with all parameters and gradients zero.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := cfg.NumParams()
	m := &Model{Cfg: cfg, Params: make([]float32, n), Grads: make([]float32, n)}
	m.W = views(cfg, m.Params)
	m.DW = views(cfg, m.Grads)
	return m, nil
}

// Init sets the parameters as Garg et al.'s model does: inside the transformer
// GPT-2's initialisation (weights and position embeddings N(0, 0.02^2), the
// residual output projections c_proj and mlp_proj N(0, (0.02/sqrt(2L))^2),
// biases 0, LayerNorm weights 1 and biases 0); the read-in and read-out, which
// sit outside GPT-2, as PyTorch's nn.Linear default: weight and bias
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in d + F and C. The read-in scale
// matters: with N(0, 0.02^2) there too, the inputs reach the blocks ~10x
// weaker than at d = 5 and training sits far longer on its initial plateau
// (measured in icl and in PyTorch). Draws are made tensor by tensor in
// Tensors order, so the same r state gives the same bits.
func (m *Model) Init(r *rand.Rand) {
	const std = 0.02
	projStd := std / math.Sqrt(float64(2*m.Cfg.Layers))
	normal := func(dst []float32, s float64) {
		for i := range dst {
			dst[i] = float32(r.NormFloat64() * s)
		}
	}
	uniform := func(dst []float32, bound float64) {
		for i := range dst {
			dst[i] = float32((2*r.Float64() - 1) * bound)
		}
	}
	fill := func(dst []float32, v float32) {
		for i := range dst {
			dst[i] = v
		}
	}
	w := &m.W
	uniform(w.ReadInW, 1/math.Sqrt(float64(m.Cfg.In())))
	uniform(w.ReadInB, 1/math.Sqrt(float64(m.Cfg.In())))
	normal(w.WPE, std)
	for l := range w.Blocks {
		b := &w.Blocks[l]
		fill(b.Ln1W, 1)
		fill(b.Ln1B, 0)
		normal(b.AttnW, std)
		fill(b.AttnB, 0)
		normal(b.ProjW, projStd)
		fill(b.ProjB, 0)
		fill(b.Ln2W, 1)
		fill(b.Ln2B, 0)
		normal(b.FcW, std)
		fill(b.FcB, 0)
		normal(b.MlpW, projStd)
		fill(b.MlpB, 0)
	}
	fill(w.LnFW, 1)
	fill(w.LnFB, 0)
	uniform(w.ReadOutW, 1/math.Sqrt(float64(m.Cfg.Width)))
	uniform(w.ReadOutB, 1/math.Sqrt(float64(m.Cfg.Width)))
}

// ZeroGrad sets all gradients to zero.
func (m *Model) ZeroGrad() { parallelClear(m.Grads) }

func parallelClear(x []float32) {
	parallelFor(len(x), 1<<16, func(lo, hi int) { clear(x[lo:hi]) })
}

// ensure makes the activation views fit (B, T), growing the buffer if needed.
func (m *Model) ensure(B, N int) {
	if m.B == B && m.N == N && m.acts != nil {
		return
	}
	_, n := m.carve(nil, B, 2*N)
	if n > len(m.acts) {
		m.releaseActs()
		m.acts = takeActs(n)
	}
	m.a, _ = m.carve(m.acts, B, 2*N)
	m.B, m.N = B, N
}

// Activation buffers of released models. Evaluation runs many models in turn,
// each forward pass on fresh replicas (OnCores): a buffer that goes back to
// the heap would come back as new pages, faulted in and zeroed by the
// kernel, tens of MB a call. Every layer writes what it later reads, so a
// reused buffer's old contents never reach a result
// (TestReusedActivationsSameBits).
var (
	actsMu   sync.Mutex  // guards freeActs
	freeActs [][]float32 // at most maxFreeActs, the largest kept
)

// maxFreeActs is how many released buffers are kept: one per core at a time
// runs a forward pass in evaluation.
var maxFreeActs = runtime.GOMAXPROCS(0)

// takeActs returns a buffer of n values: the smallest free one that holds
// them; when every free one is too small, it drops them all and allocates a
// new one after a collection, so that the heap can reuse their memory.
func takeActs(n int) []float32 {
	actsMu.Lock()
	best := -1
	for i, b := range freeActs {
		if cap(b) >= n && (best < 0 || cap(b) < cap(freeActs[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := freeActs[best]
		freeActs = append(freeActs[:best], freeActs[best+1:]...)
		actsMu.Unlock()
		return b[:n]
	}
	freeActs = nil
	actsMu.Unlock()
	runtime.GC() // let released buffers go before allocating the new one
	return make([]float32, n)
}

// releaseActs hands m's activation buffer to the free list (keeping the
// largest maxFreeActs) and leaves m without one.
func (m *Model) releaseActs() {
	b := m.acts
	m.acts, m.a = nil, activations{}
	if b == nil {
		return
	}
	actsMu.Lock()
	defer actsMu.Unlock()
	freeActs = append(freeActs, b)
	if len(freeActs) > maxFreeActs {
		small := 0
		for i, f := range freeActs {
			if cap(f) < cap(freeActs[small]) {
				small = i
			}
		}
		freeActs = append(freeActs[:small], freeActs[small+1:]...)
	}
}

// Replica returns a model that shares m's parameters (Params and W, which it
// only reads) and precision, with no gradients and activations of its own:
// replicas predict concurrently, each on its own goroutine, while nothing
// changes the parameters. It cannot train (Backward needs gradients).
func (m *Model) Replica() *Model {
	return &Model{Cfg: m.Cfg, Params: m.Params, W: m.W, Precision: m.Precision}
}

// Release gives up the activation buffer (the next Forward takes one again),
// for a model kept loaded between uses, as evaluations keep several. Views
// of it (Preds) are invalid from then on: another model may reuse it.
func (m *Model) Release() {
	m.releaseActs()
	m.B, m.N, m.ready, m.grad = 0, 0, false, false
}

// Input is a batch of B prompts of N points, the argument of Forward and
// Predict.
//
// The labels are part of the input: the prediction at point i sees
// y_0 .. y_{i-1} (Ys[b, N-1] never affects a prediction, only the loss).
//
// Ind is for a model with a family indicator (Cfg.Families = F > 0): every
// token of prompt b carries Ind[b] after its d input features (x-tokens
// (x_i, Ind[b]), y-tokens (y_i, 0, ..., 0, Ind[b])). A prompt shows its
// family k as the one-hot e_k (ShowFamily) and hides it as zeros; nil hides
// it on every prompt. Ind must be nil when F = 0.
//
// W weighs the prompts in the loss: Forward returns mean over b, i of
// W[b] (pred[b,i] - ys[b,i])^2, and Backward then follows that loss. Nil
// weighs every prompt 1. Training uses W[b] = 1 / scale of prompt b's class
// so that each class of a mixture counts in the loss as it does in the
// normalized error of evaluation. Predictions do not depend on W.
type Input struct {
	Xs   []float32 // (B, N, Dim) inputs x_i
	Ys   []float32 // (B, N) labels y_i
	Ind  []float32 // (B, F) family indicator, or nil
	W    []float32 // (B) loss weight per prompt, or nil
	B, N int       // prompts, and points per prompt: 1 <= N <= Cfg.Points
}

// Forward runs the model on the prompts of in and returns the (weighted,
// see Input.W) mean squared error of its predictions. Predictions are kept
// for Preds and activations for Backward.
func (m *Model) Forward(in Input) float32 { return m.forward(in, true) }

// forward is Forward; with grad false it skips what only Backward reads
// (GELU's derivative), and Backward refuses to run after it.
func (m *Model) forward(in Input, grad bool) float32 {
	xs, ys, ind, w, B, N := in.Xs, in.Ys, in.Ind, in.W, in.B, in.N
	c := m.Cfg
	if B < 1 || N < 1 || N > c.Points {
		panic(fmt.Sprintf("gpt: Forward with B = %d, N = %d; need B >= 1 and 1 <= N <= Points = %d", B, N, c.Points))
	}
	if len(xs) != B*N*c.Dim {
		panic(fmt.Sprintf("gpt: Forward: len(Xs) = %d, want B*N*Dim = %d", len(xs), B*N*c.Dim))
	}
	if len(ys) != B*N {
		panic(fmt.Sprintf("gpt: Forward: len(Ys) = %d, want B*N = %d", len(ys), B*N))
	}
	if w != nil && len(w) != B {
		panic(fmt.Sprintf("gpt: Forward: len(W) = %d, want B = %d", len(w), B))
	}
	if ind != nil && (c.Families == 0 || len(ind) != B*c.Families) {
		panic(fmt.Sprintf("gpt: Forward: len(Ind) = %d, want B*Families = %d (nil when Families = 0)", len(ind), B*c.Families))
	}
	m.ensure(B, N)
	a := &m.a
	C, H, d := c.Width, c.Heads, c.Dim
	T := 2 * N
	BT := B * T

	p := m.Prof
	t := p.start()
	if c.Families == 0 {
		buildTokens(a.tokens, xs, ys, B, N, d)
	} else {
		buildFamilyTokens(a.tokens, xs, ys, ind, B, N, d, c.Families)
	}
	encoderForward(a.encoded, a.tokens, m.W.ReadInW, m.W.ReadInB, m.W.WPE, B, T, d+c.Families, C)
	p.lap(kOther, &t)
	BN := B * N
	res := a.encoded
	last := len(a.blocks) - 1
	if last < 0 {
		xRows(a.resX, res, BN, C)
		res = a.resX
	}
	for l := range a.blocks {
		k := &a.blocks[l]
		w := &m.W.Blocks[l]
		layernormForward(k.ln1, k.ln1Mean, k.ln1Rstd, res, w.Ln1W, w.Ln1B, BT, C)
		p.lap(kLayerNorm, &t)
		matmulForward(m.Precision, k.qkv, nil, k.ln1, w.AttnW, w.AttnB, BT, C, 3*C)
		p.lap(kMatmul, &t)
		attentionForward(k.atty, k.att, k.qkv, B, T, C, H)
		p.lap(kAttention, &t)
		R, atty := BT, k.atty
		if l == last { // from here on only the x-token rows are read
			xRows(a.attyX, k.atty, BN, C)
			xRows(a.resX, res, BN, C)
			R, res, atty = BN, a.resX, a.attyX
		}
		matmulForward(m.Precision, k.res2, res, atty, w.ProjW, w.ProjB, R, C, C) // res2 = res + c_proj(atty): the residual add
		p.lap(kMatmul, &t)
		layernormForward(k.ln2, k.ln2Mean, k.ln2Rstd, k.res2, w.Ln2W, w.Ln2B, R, C)
		p.lap(kLayerNorm, &t)
		matmulForward(m.Precision, k.gelu, nil, k.ln2, w.FcW, w.FcB, R, C, 4*C)
		p.lap(kMatmul, &t)
		g := k.gelu[:R*4*C]
		var deriv []float32 // (R, 4C): what backward needs, when it will run
		if grad {
			deriv = k.geluDeriv[:R*4*C]
		}
		geluForward(g, deriv, g) // in place
		p.lap(kGELU, &t)
		matmulForward(m.Precision, k.res3, k.res2, k.gelu, w.MlpW, w.MlpB, R, 4*C, C) // res3 = res2 + mlp_proj(gelu): the residual add
		p.lap(kMatmul, &t)
		res = k.res3
	}
	layernormForward(a.lnf, a.lnfMean, a.lnfRstd, res, m.W.LnFW, m.W.LnFB, BN, C)
	p.lap(kLayerNorm, &t)
	readoutForward(a.preds, a.lnf, m.W.ReadOutW, m.W.ReadOutB, BN, C)
	m.ready, m.grad = true, grad
	loss := mseForward(a.dpreds, a.preds, ys, w, B, N)
	p.lap(kOther, &t)
	return loss
}

// buildTokens: tokens (B,2N,d) from xs (B,N,d) and ys (B,N): token 2i is x_i,
// token 2i+1 is (y_i, 0, ..., 0).
func buildTokens(tokens, xs, ys []float32, B, N, d int) {
	for b := 0; b < B; b++ {
		for i := 0; i < N; i++ {
			tx := tokens[(b*2*N+2*i)*d : (b*2*N+2*i+1)*d]
			copy(tx, xs[(b*N+i)*d:(b*N+i+1)*d])
			ty := tokens[(b*2*N+2*i+1)*d : (b*2*N+2*i+2)*d]
			clear(ty)
			ty[0] = ys[b*N+i]
		}
	}
}

// buildFamilyTokens: tokens (B,2N,d+F) from xs (B,N,d), ys (B,N) and the
// indicator ind (B,F), nil for zeros: token 2i is (x_i, ind[b]), token 2i+1
// is (y_i, 0, ..., 0, ind[b]).
func buildFamilyTokens(tokens, xs, ys, ind []float32, B, N, d, F int) {
	e := d + F
	for b := 0; b < B; b++ {
		for i := 0; i < N; i++ {
			tx := tokens[(b*2*N+2*i)*e : (b*2*N+2*i+1)*e]
			copy(tx, xs[(b*N+i)*d:(b*N+i+1)*d])
			ty := tokens[(b*2*N+2*i+1)*e : (b*2*N+2*i+2)*e]
			clear(ty[:d])
			ty[0] = ys[b*N+i]
			if ind == nil {
				clear(tx[d:])
				clear(ty[d:])
			} else {
				copy(tx[d:], ind[b*F:(b+1)*F])
				copy(ty[d:], ind[b*F:(b+1)*F])
			}
		}
	}
}

// Preds returns the (B, N) predictions of the last Forward, a view valid until
// the next Forward.
func (m *Model) Preds() []float32 {
	if m.acts == nil {
		return nil
	}
	return m.a.preds[:m.B*m.N]
}

// Stream copies into dst (B, N, C) the residual stream of the last Forward
// at the x-tokens, the positions the model predicts at, after layer l: l = 0
// is the embedding (read-in plus position embeddings), l = 1 .. Layers the
// output of block l. It reads the activations Forward keeps for Backward,
// so the capture costs nothing unless asked for.
func (m *Model) Stream(dst []float32, l int) {
	c := m.Cfg
	if !m.ready {
		panic("gpt: Stream before Forward")
	}
	if l < 0 || l > c.Layers {
		panic(fmt.Sprintf("gpt: Stream(%d): layers are 0 (the embedding) .. %d", l, c.Layers))
	}
	BN, C := m.B*m.N, c.Width
	dst = dst[:BN*C]
	switch {
	case l == c.Layers: // the last block runs at the x-tokens only
		copy(dst, m.a.blocks[l-1].res3[:BN*C])
	case l == 0:
		xRows(dst, m.a.encoded, BN, C)
	default:
		xRows(dst, m.a.blocks[l-1].res3, BN, C)
	}
}

// ReadoutInput copies into dst (B, N, C) what the read-out of the last
// Forward read: the final LayerNorm of the stream after the last block, at
// the x-tokens.
func (m *Model) ReadoutInput(dst []float32) {
	if !m.ready {
		panic("gpt: ReadoutInput before Forward")
	}
	BN, C := m.B*m.N, m.Cfg.Width
	copy(dst[:BN*C], m.a.lnf[:BN*C])
}

// Predict runs Forward on in and copies its (B, N) predictions into dst,
// the same bits, without keeping what only Backward needs (which then
// refuses to run). in.W is not used.
func (m *Model) Predict(dst []float32, in Input) {
	if len(dst) != in.B*in.N {
		panic(fmt.Sprintf("gpt: Predict: len(dst) = %d, want B*N = %d", len(dst), in.B*in.N))
	}
	in.W = nil
	m.forward(in, false)
	copy(dst, m.Preds())
}

// ShowFamily returns an indicator (B, F), Input.Ind, with every one
// of B prompts showing family k (0 <= k < F), or nil, hidden, when k < 0.
func ShowFamily(B, F, k int) []float32 {
	if k < 0 {
		return nil
	}
	if k >= F {
		panic(fmt.Sprintf("gpt: ShowFamily: family %d of %d", k, F))
	}
	ind := make([]float32, B*F)
	for p := 0; p < B; p++ {
		ind[p*F+k] = 1
	}
	return ind
}

// Backward adds the gradient of the last Forward's loss into m.Grads.
func (m *Model) Backward() {
	if !m.grad {
		panic("gpt: Backward without a Forward (Predict keeps too little for it)")
	}
	if m.Grads == nil {
		panic("gpt: Backward on a Replica, which has no gradients")
	}
	c := m.Cfg
	a := &m.a
	B, N := m.B, m.N
	C, H, d := c.Width, c.Heads, c.Dim
	T := 2 * N
	BT := B * T
	g := &m.DW

	p := m.Prof
	t := p.start()
	BN := B * N
	zero := [2][]float32{a.dln[:BN*C], a.dres[:BN*C]}
	parallel.For(len(zero), 0, func(k int) { clear(zero[k]) })
	readoutBackward(a.dln, g.ReadOutW, g.ReadOutB, a.dpreds, a.lnf, m.W.ReadOutW, BN, C)
	p.lap(kOther, &t)
	last := len(a.blocks) - 1
	out := a.resX // the x-token rows of the last block's output
	if last >= 0 {
		out = a.blocks[last].res3
	}
	// a.dres holds the gradient of the residual stream: BN x-token rows
	// through the last block's c_proj, then all BT rows.
	layernormBackward(a.dres, g.LnFW, g.LnFB, a.dln, out, a.lnfMean, a.lnfRstd, m.W.LnFW, BN, C)
	p.lap(kLayerNorm, &t)
	if last < 0 {
		expandXRows(a.dres, BN, C)
	}
	for l := last; l >= 0; l-- {
		k := &a.blocks[l]
		w := &m.W.Blocks[l]
		gw := &g.Blocks[l]
		res := a.encoded
		if l > 0 {
			res = a.blocks[l-1].res3
		}
		R, atty := BT, k.atty
		if l == last {
			R, atty = BN, a.attyX
		}
		// MLP: res3 = res2 + mlp_proj(gelu(c_fc(ln_2(res2)))). a.dres holds d res3.
		// Scratch gradients are overwritten (beta 0), not zeroed and added to.
		matmulBackward(m.Precision, a.dfch, gw.MlpW, gw.MlpB, a.dres, k.gelu, w.MlpW, R, 4*C, C, 0)
		p.lap(kMatmul, &t)
		df := a.dfch[:R*4*C]
		geluBackward(df, df, k.geluDeriv[:R*4*C], 0)
		p.lap(kGELU, &t)
		matmulBackward(m.Precision, a.dln, gw.FcW, gw.FcB, a.dfch, k.ln2, w.FcW, R, C, 4*C, 0)
		p.lap(kMatmul, &t)
		layernormBackward(a.dres, gw.Ln2W, gw.Ln2B, a.dln, k.res2, k.ln2Mean, k.ln2Rstd, w.Ln2W, R, C)
		p.lap(kLayerNorm, &t)
		// Attention: res2 = res + c_proj(attn(c_attn(ln_1(res)))). a.dres holds d res2.
		if l == last {
			// c_proj on the x-token rows, then back to all rows: the y-token
			// rows of res2 reach no output, so their gradient is zero.
			matmulBackward(m.Precision, a.dln, gw.ProjW, gw.ProjB, a.dres, atty, w.ProjW, BN, C, C, 0)
			xRowsInto(a.datty, a.dln, BN, C)
			expandXRows(a.dres, BN, C)
		} else {
			matmulBackward(m.Precision, a.datty, gw.ProjW, gw.ProjB, a.dres, atty, w.ProjW, BT, C, C, 0)
		}
		p.lap(kMatmul, &t)
		attentionBackward(a.dqkv, a.datt, a.datty, k.att, k.qkv, B, T, C, H, 0)
		p.lap(kAttention, &t)
		matmulBackward(m.Precision, a.dln, gw.AttnW, gw.AttnB, a.dqkv, k.ln1, w.AttnW, BT, C, 3*C, 0)
		p.lap(kMatmul, &t)
		layernormBackward(a.dres, gw.Ln1W, gw.Ln1B, a.dln, res, k.ln1Mean, k.ln1Rstd, w.Ln1W, BT, C)
		p.lap(kLayerNorm, &t)
	}
	encoderBackward(g.ReadInW, g.ReadInB, g.WPE, a.dres, a.tokens, B, T, d+c.Families, C)
	p.lap(kOther, &t)
}
