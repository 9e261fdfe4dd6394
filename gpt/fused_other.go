//go:build !amd64.v3

package gpt

const fusedBuild = false
