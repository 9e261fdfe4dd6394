package config

import (
	"errors"
	"fmt"
	"strings"
)

// Error is an invalid configuration value.
type Error struct {
	Line int    // 1-based line in the YAML input; 0 when unknown
	Path string // field path from the document root, e.g. "train.batch", "of[1].k"
	Msg  string // what is wrong and what is allowed
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errorf returns an *Error at path with a formatted message.
func Errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Must returns an *Error at path for value v, which must be allowed:
// "PATH: V: must be ALLOWED".
func Must(path string, v any, allowed string) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf("%v: must be %s", v, allowed)}
}

// Under roots err's field paths at prefix: every *Error in err (also inside
// errors.Join) gets "prefix." before its path. Other errors are wrapped as an
// *Error at prefix.
func Under(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Under(prefix, e))
		}
		return errors.Join(out...)
	}
	var ce *Error
	if errors.As(err, &ce) {
		c := *ce
		if c.Path == "" {
			c.Path = prefix
		} else {
			c.Path = join(prefix, c.Path)
		}
		return &c
	}
	return &Error{Path: prefix, Msg: err.Error()}
}
