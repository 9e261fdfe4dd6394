package train

import (
	"bytes"
	"fmt"
	"strings"

	"icl/presets"
)

// PresetNames lists the built-in presets as "scale/name" (see package configs).
func PresetNames() []string { return presets.Names() }

// Preset returns the built-in preset name ("quick/dense_linear", ...), decoded,
// with defaults filled and validated.
func Preset(name string) (*Config, error) {
	text, err := presets.Read(name)
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q; allowed: %s", name, strings.Join(PresetNames(), ", "))
	}
	c, err := DecodeConfig(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	return c, nil
}
