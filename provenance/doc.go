// Package provenance says where a result comes from: the icl version and
// commit it was built from, the root of that source, and the machine it ran
// on. Reports and evaluation caches record it.
package provenance
