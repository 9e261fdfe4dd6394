//go:build amd64.v3

package gpt

// fusedBuild reports a build whose compiler fuses float multiply-adds in Go
// code (GOAMD64=v3 or later), which rounds them once where other amd64
// builds round twice: training's bits differ, so its numerics id does too.
const fusedBuild = true
