package npz

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

const (
	magic = "\x93NUMPY"
	// maxHeaderLen bounds the header we are willing to read. The longest header this
	// package can accept (64 dimensions of 19 digits) is about 1.5 KiB; numpy's own
	// default limit is 10000 bytes.
	maxHeaderLen = 1 << 16
	// maxDims is numpy's NPY_MAXDIMS (64 since numpy 2.0).
	maxDims = 64
	// growthAxisMaxDigits is numpy's GROWTH_AXIS_MAX_DIGITS: the header leaves room
	// for the first axis to grow to 21 digits.
	growthAxisMaxDigits = 21
	arrayAlign          = 64
)

// dtype is a parsed numpy type descriptor such as "<f8".
type dtype struct {
	kind byte // 'f', 'i', 'u', 'b'
	size int  // bytes per element
	big  bool // big-endian
}

// canonical is the little-endian descriptor of d, as numpy would write it.
func (d dtype) canonical() string {
	if d.size == 1 {
		return "|" + string(d.kind) + "1"
	}
	return "<" + string(d.kind) + strconv.Itoa(d.size)
}

func (d dtype) isFloat() bool { return d.kind == 'f' }

// supportedDTypes lists what parseDType accepts, for error messages.
const supportedDTypes = "f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1"

// parseDType parses a numpy descr string of a simple numeric type.
func parseDType(s string) (dtype, error) {
	if s == "" {
		return dtype{}, fmt.Errorf("empty descr")
	}
	var d dtype
	rest := s
	switch s[0] {
	case '<':
		rest = s[1:]
	case '>':
		d.big = true
		rest = s[1:]
	case '|':
		rest = s[1:]
	case '=':
		return dtype{}, fmt.Errorf("descr %q: native byte order '=' is not supported (want '<', '>' or '|')", s)
	}
	if len(rest) == 0 {
		return dtype{}, fmt.Errorf("descr %q has no type", s)
	}
	switch rest[0] {
	case 'O':
		return dtype{}, fmt.Errorf("descr %q: object arrays are not supported (they need pickle)", s)
	case 'U', 'S', 'a':
		return dtype{}, fmt.Errorf("descr %q: string arrays are not supported (supported: %s)", s, supportedDTypes)
	case 'c':
		return dtype{}, fmt.Errorf("descr %q: complex arrays are not supported (supported: %s)", s, supportedDTypes)
	case 'M', 'm':
		return dtype{}, fmt.Errorf("descr %q: datetime arrays are not supported (supported: %s)", s, supportedDTypes)
	case 'V':
		return dtype{}, fmt.Errorf("descr %q: void/structured arrays are not supported (supported: %s)", s, supportedDTypes)
	case 'f', 'i', 'u', 'b':
		d.kind = rest[0]
	default:
		return dtype{}, fmt.Errorf("descr %q: unknown type (supported: %s)", s, supportedDTypes)
	}
	size, err := strconv.Atoi(rest[1:])
	if err != nil {
		return dtype{}, fmt.Errorf("descr %q: bad item size (supported: %s)", s, supportedDTypes)
	}
	d.size = size
	ok := false
	switch d.kind {
	case 'f':
		ok = size == 4 || size == 8
	case 'i', 'u':
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		ok = size == 1
	}
	if !ok {
		return dtype{}, fmt.Errorf("descr %q: unsupported item size (supported: %s)", s, supportedDTypes)
	}
	if s[0] == '|' && size != 1 {
		return dtype{}, fmt.Errorf("descr %q: byte order '|' is only valid for 1-byte types", s)
	}
	if size == 1 {
		d.big = false
	}
	return d, nil
}

// header is the content of an .npy header dict.
type header struct {
	descr   string
	dt      dtype
	fortran bool
	shape   []int
}

// numElems returns the product of shape and the data size in bytes, or an error when
// either overflows.
func numElems(shape []int, itemSize int) (n, nbytes int64, err error) {
	var p uint64 = 1
	for _, s := range shape {
		if s < 0 {
			return 0, 0, fmt.Errorf("negative dimension in shape %s", pyShape(shape))
		}
		hi, lo := bits.Mul64(p, uint64(s))
		if hi != 0 || lo > 1<<62 {
			return 0, 0, fmt.Errorf("shape %s has too many elements", pyShape(shape))
		}
		p = lo
	}
	hi, lo := bits.Mul64(p, uint64(itemSize))
	if hi != 0 || lo > 1<<62 {
		return 0, 0, fmt.Errorf("shape %s x %d bytes overflows", pyShape(shape), itemSize)
	}
	return int64(p), int64(lo), nil
}

// pyShape formats a shape as Python would print the tuple: (), (5,), (2, 3).
func pyShape(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, s := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(s))
	}
	b.WriteByte(')')
	return b.String()
}

// formatHeader returns the complete .npy preamble (magic, version, length, dict and
// padding) exactly as numpy's format.write_array writes it for a C-order array.
func formatHeader(descr string, shape []int) ([]byte, error) {
	dict := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + pyShape(shape) + ", }"
	if len(shape) > 0 {
		if pad := growthAxisMaxDigits - len(strconv.Itoa(shape[0])); pad > 0 {
			dict += strings.Repeat(" ", pad)
		}
	}
	hlen := len(dict) + 1 // + '\n'
	prefix := len(magic) + 2 + 2
	major := byte(1)
	padlen := arrayAlign - (prefix+hlen)%arrayAlign
	if hlen+padlen > 0xffff {
		major = 2
		prefix = len(magic) + 2 + 4
		padlen = arrayAlign - (prefix+hlen)%arrayAlign
	}
	total := hlen + padlen
	if total > maxHeaderLen {
		return nil, fmt.Errorf("header of %d bytes is too long", total)
	}
	out := make([]byte, 0, prefix+total)
	out = append(out, magic...)
	out = append(out, major, 0)
	if major == 1 {
		out = append(out, byte(total), byte(total>>8))
	} else {
		out = append(out, byte(total), byte(total>>8), byte(total>>16), byte(total>>24))
	}
	out = append(out, dict...)
	for i := 0; i < padlen; i++ {
		out = append(out, ' ')
	}
	out = append(out, '\n')
	return out, nil
}

// parseHeader parses the Python dict literal of an .npy header. It accepts exactly the
// keys 'descr', 'fortran_order' and 'shape' in any order, single- or double-quoted
// strings, a trailing comma, and trailing whitespace, and nothing else.
func parseHeader(s string) (header, error) {
	p := &dictParser{s: s}
	h, err := p.parse()
	if err != nil {
		return header{}, fmt.Errorf("bad header %s: %v", quoteHeader(s), err)
	}
	if h.dt, err = parseDType(h.descr); err != nil {
		return header{}, err
	}
	return h, nil
}

// quoteHeader quotes a header for an error message, shortened if long.
func quoteHeader(s string) string {
	s = strings.TrimRight(s, " \n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return strconv.Quote(s)
}

type dictParser struct {
	s   string
	pos int
}

func (p *dictParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *dictParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *dictParser) expect(c byte) error {
	if got := p.peek(); got != c {
		return p.errorf("want %q", c)
	}
	p.pos++
	return nil
}

func (p *dictParser) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p.pos >= len(p.s) {
		return fmt.Errorf("%s at end of header", msg)
	}
	return fmt.Errorf("%s at offset %d (found %q)", msg, p.pos, p.s[p.pos])
}

func (p *dictParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errorf("want a string")
	}
	start := p.pos + 1
	for i := start; i < len(p.s); i++ {
		switch p.s[i] {
		case q:
			p.pos = i + 1
			return p.s[start:i], nil
		case '\\':
			p.pos = i
			return "", p.errorf("escapes in strings are not supported")
		case '\n':
			p.pos = i
			return "", p.errorf("unterminated string")
		}
	}
	p.pos = len(p.s)
	return "", p.errorf("unterminated string")
}

func (p *dictParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

// integer parses a non-negative decimal integer, allowing Python 2's 'L' suffix.
func (p *dictParser) integer() (int, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	if start == p.pos {
		return 0, p.errorf("want a non-negative integer")
	}
	v, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
	if err != nil || v > 1<<62 {
		p.pos = start
		return 0, p.errorf("dimension too large")
	}
	if p.pos < len(p.s) && (p.s[p.pos] == 'L' || p.s[p.pos] == 'l') {
		p.pos++
	}
	return int(v), nil
}

// tuple parses a Python tuple of non-negative integers: (), (5,), (2, 3), (2, 3,).
func (p *dictParser) tuple() ([]int, error) {
	switch p.peek() {
	case '(':
	case '[':
		return nil, p.errorf("shape must be a tuple, not a list")
	default:
		return nil, p.errorf("shape must be a tuple")
	}
	p.pos++
	shape := []int{}
	if p.peek() == ')' {
		p.pos++
		return shape, nil
	}
	for {
		if len(shape) == maxDims {
			return nil, p.errorf("more than %d dimensions", maxDims)
		}
		v, err := p.integer()
		if err != nil {
			return nil, err
		}
		shape = append(shape, v)
		switch p.peek() {
		case ',':
			p.pos++
			if p.peek() == ')' {
				p.pos++
				return shape, nil
			}
		case ')':
			if len(shape) == 1 {
				return nil, p.errorf("shape (%d) is not a tuple (a one-element tuple is written (%d,))", v, v)
			}
			p.pos++
			return shape, nil
		default:
			return nil, p.errorf("want ',' or ')' in shape")
		}
	}
}

func (p *dictParser) parse() (header, error) {
	var h header
	if err := p.expect('{'); err != nil {
		return h, err
	}
	seen := map[string]bool{}
	for {
		if p.peek() == '}' {
			p.pos++
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if seen[key] {
			return h, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if err := p.expect(':'); err != nil {
			return h, err
		}
		switch key {
		case "descr":
			if c := p.peek(); c == '[' || c == '(' {
				return h, fmt.Errorf("structured dtypes are not supported (supported: %s)", supportedDTypes)
			}
			if h.descr, err = p.str(); err != nil {
				return h, err
			}
		case "fortran_order":
			switch id := p.ident(); id {
			case "True":
				h.fortran = true
			case "False":
				h.fortran = false
			default:
				return h, p.errorf("fortran_order must be True or False")
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, err
			}
		default:
			return h, fmt.Errorf("unexpected key %q (want 'descr', 'fortran_order', 'shape')", key)
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return h, p.errorf("want ',' or '}'")
		}
	}
	if p.peek() != 0 {
		return h, p.errorf("unexpected text after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}
