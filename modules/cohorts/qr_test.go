package cohorts

import (
	"strings"
	"testing"
)

func TestAQRCodeIsASquareOfDarkRunsWithAQuietZone(t *testing.T) {
	q, err := qrFor("https://onramp.example/join/ABCD2345")
	if err != nil {
		t.Fatal(err)
	}
	// Version 2 or 3 (25 or 29 modules) plus a four-module border each side.
	if q.Size < 33 || q.Size > 41 {
		t.Errorf("size %d", q.Size)
	}
	if !strings.HasPrefix(q.Path, "M4 4h7v1h-7z") {
		t.Errorf("the top-left finder pattern is not where it belongs: %.40s", q.Path)
	}
	other, _ := qrFor("https://onramp.example/join/WXYZ6789")
	if other.Path == q.Path {
		t.Error("two links give the same code")
	}
}
