package cli

import (
	"io"
	"text/tabwriter"
)

// newTable returns a right-aligned tab writer for the command's tables.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
}
