package safetensors

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
)

// Checksums of icl's files (model files and training checkpoints) hash their
// metadata and their tensors' float32 bits with these two functions, so that
// both kinds of file hash their parts the same way.

// HashMeta writes meta, every key but skip (the checksum's own), sorted by
// key, as "key=length:value" lines to h.
func HashMeta(h io.Writer, meta map[string]string, skip string) {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k != skip {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%d:%s\n", k, len(meta[k]), meta[k])
	}
}

// HashFloat32s writes the float32 bits of data, little-endian, to h.
func HashFloat32s(h io.Writer, data []float32) {
	var buf [4096]byte
	for j := 0; j < len(data); {
		n := 0
		for ; n+4 <= len(buf) && j < len(data); j, n = j+1, n+4 {
			binary.LittleEndian.PutUint32(buf[n:], math.Float32bits(data[j]))
		}
		h.Write(buf[:n])
	}
}
