// Package shipped owns the models that ship with icl (package models holds
// them): reading and verifying a models folder (every file against its
// SHA256SUMS, the model against its config), using a shipped run in place of
// training one (Use), saying what a folder lacks (CheckCover), packing
// finished runs into it (Pack) and training a shipped run again to compare
// (Verify).
package shipped
