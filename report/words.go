package report

import "fmt"

// Plural counts a word: "1 check", "2 checks".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
