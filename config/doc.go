// Package config decodes icl's YAML configuration files and reports what is
// wrong with them.
//
// Decode reads one YAML document strictly: a field the destination type does
// not have is an error naming its line, its path and the allowed names, and a
// non-integer for an integer field is an error (yaml.v3 alone would truncate
// 2.5 to 2). DecodeDefaults also fills defaults without replacing a value the
// file gives: absent means default, and a given value, even 0, is kept for
// Validate to accept or refuse by name. A field whose zero value stands for
// a default (struct tag default:"DESCRIPTION") refuses an explicit zero, which
// would otherwise be replaced without a word.
//
// Error is the one error type for an invalid configuration value, whichever
// package checks it: Path names the field from the document root
// ("train.batch", "task.of[1].k") and Msg says what is wrong and what is
// allowed.
package config
