package content

import (
	"regexp"
	"strings"
)

// Readability scores Markdown text with the Flesch reading ease formula:
// 206.835 - 1.015 × words per sentence - 84.6 × syllables per word. Higher
// is easier; 60 to 70 is plain English. Headings and list items count as
// sentences, because readers take them as separate lines.
func Readability(markdown string) float64 {
	text := plainText(markdown)
	var sentences int
	for _, s := range sentenceEnd.Split(text, -1) {
		if hasWordChar.MatchString(s) {
			sentences++
		}
	}
	words := wordPattern.FindAllString(text, -1)
	if len(words) == 0 || sentences == 0 {
		return 0
	}
	syllables := 0
	for _, w := range words {
		syllables += Syllables(w)
	}
	return 206.835 - 1.015*float64(len(words))/float64(sentences) - 84.6*float64(syllables)/float64(len(words))
}

// WordCount counts the words of a Markdown body.
func WordCount(markdown string) int { return len(wordPattern.FindAllString(markdown, -1)) }

var (
	sentenceEnd   = regexp.MustCompile(`[.!?:;]+`)
	hasWordChar   = regexp.MustCompile(`[A-Za-z0-9]`)
	wordPattern   = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9'’-]*`)
	mdLink        = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdMarks       = regexp.MustCompile("[*_`>#]")
	listMarker    = regexp.MustCompile(`^(?:[-+]|\d+\.)\s+`)
	lineEnd       = regexp.MustCompile(`[.!?:;]$`)
	nonLetters    = regexp.MustCompile(`[^a-z]`)
	silentEnding  = regexp.MustCompile(`(?:[^laeiouy]es|ed|[^laeiouy]e)$`)
	leadingY      = regexp.MustCompile(`^y`)
	vowelclusters = regexp.MustCompile(`[aeiouy]+`)
)

func plainText(md string) string {
	md = mdLink.ReplaceAllString(md, "$1")
	md = mdMarks.ReplaceAllString(md, " ")
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		line = listMarker.ReplaceAllString(strings.TrimSpace(line), "")
		if line != "" && !lineEnd.MatchString(line) {
			line += "."
		}
		lines[i] = line
	}
	return strings.Join(lines, " ")
}

// Syllables estimates the syllables in an English word: vowel groups,
// less a silent final e, at least one.
func Syllables(word string) int {
	w := nonLetters.ReplaceAllString(strings.ToLower(word), "")
	if w == "" {
		return 0
	}
	if len(w) <= 3 {
		return 1
	}
	w = silentEnding.ReplaceAllString(w, "")
	w = leadingY.ReplaceAllString(w, "")
	return max(len(vowelclusters.FindAllString(w, -1)), 1)
}
