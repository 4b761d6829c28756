package content

import "testing"

func TestRewritingPicturesChangesOnlyTheirAddresses(t *testing.T) {
	to := func(src string) (string, bool) {
		if src == "/media/old" {
			return "media/porter.png", true
		}
		return "", false
	}
	for name, tc := range map[string]struct{ in, want string }{
		"inline": {"Hi  *there*.\n\n![A porter](/media/old \"Our porter\") and ![Another](/media/other)\n",
			"Hi  *there*.\n\n![A porter](media/porter.png \"Our porter\") and ![Another](/media/other)\n"},
		"angle brackets, in a list": {"-\tSee ![A porter](</media/old>)\n- ![A porter [left]](/media/old)",
			"-\tSee ![A porter](<media/porter.png>)\n- ![A porter [left]](media/porter.png)"},
		"a reference used twice": {"![A][p] and ![B][p]\n\n[p]: /media/old\n", "![A][p] and ![B][p]\n\n[p]: media/porter.png\n"},
		"a link, code and text":  {"[A link](/media/old), `![A](/media/old)` and /media/old\n\n    ![A](/media/old)\n", ""},
	} {
		if tc.want == "" {
			tc.want = tc.in
		}
		if got := rewritePictures(tc.in, to); got != tc.want {
			t.Errorf("%s: got\n%q\nwant\n%q", name, got, tc.want)
		}
	}
}

func TestAnyFileNameIsOneAddressInAPackage(t *testing.T) {
	name := "my porter (1) [new].png"
	address := packageAddress(name)
	imgs := InlineImages("![A porter](" + address + ")")
	if len(imgs) != 1 || packageFile(imgs[0].Src) != name {
		t.Errorf("%q in the text reads back as %+v", address, imgs)
	}
	for _, src := range []string{"/media/0b6d7c52-6a86-4c2e-9d0e-3f5a1d2b7c10", "media/", "media/a/b.png", "porter.png", "https://example.com/media/p.png"} {
		if got := packageFile(src); got != "" {
			t.Errorf("%q names the package file %q, want none", src, got)
		}
	}
}
