// Package cli implements the icl command's subcommands, one file each. main
// hands its arguments to Main; nothing else imports this package.
package cli
