package runplan

import (
	"encoding/json"
	"errors"
	"icl/provenance"
	"icl/train"
	"os"
	"path/filepath"
)

// ShippedCopyMarker is the file in a run directory that records the shipped
// run its files were copied from (package shipped copies them).
const ShippedCopyMarker = "shipped.json"

// ShippedCopy is the record, in a run directory of an output folder, of the
// shipped run its files were copied from.
type ShippedCopy struct {
	Source string            `json:"source"` // the shipped run's directory, "small/dense_sparse"
	Sums   map[string]string `json:"sha256"` // the files copied, as written here
}

// ReadShippedCopy reads the record of a shipped run's copy in dir; false
// when dir holds none.
func ReadShippedCopy(dir string) (*ShippedCopy, bool) {
	b, err := os.ReadFile(filepath.Join(dir, ShippedCopyMarker))
	if err != nil {
		return nil, false
	}
	var c ShippedCopy
	if json.Unmarshal(b, &c) != nil {
		return &ShippedCopy{}, true // a torn record: the copy is removed and redone
	}
	return &c, true
}

// Intact reports whether every file the record lists is in dir unchanged.
func (c *ShippedCopy) Intact(dir string) bool {
	if len(c.Sums) == 0 {
		return false
	}
	for name, sum := range c.Sums {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || provenance.SHA256Hex(b) != sum {
			return false
		}
	}
	return true
}

// CopiedFiles are the files a copy of a shipped run writes into a run
// directory, the record first and the done marker last.
var CopiedFiles = []string{ShippedCopyMarker, train.ConfigFile, train.ModelFile, train.MetricsFile, train.DoneFile}

// RemoveShippedCopy removes the files a copy of a shipped run wrote into dir,
// and nothing else.
func RemoveShippedCopy(dir string) error {
	for i := len(CopiedFiles) - 1; i >= 0; i-- {
		if err := os.Remove(filepath.Join(dir, CopiedFiles[i])); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
