package storage_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"
	"testing"

	"onramp/app/storage"
)

func testImage() image.Image {
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.Black})
	img.Set(1, 1, color.Black)
	return img
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// elfBytes is the start of a real ELF executable: this test binary.
func elfBytes(t *testing.T) []byte {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 8192)
	if _, err := io.ReadFull(f, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// peBytes is a Windows executable's headers: MZ stub pointing at a PE
// signature and a COFF header.
func peBytes() []byte {
	b := make([]byte, 512)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	binary.LittleEndian.PutUint16(b[0x84:], 0x8664) // x86-64
	return b
}

func zipBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("lesson.png")
	w.Write(pngBytes(t))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ftyp is an ISO base media file's ftyp box with the given major brand.
func ftyp(brand string) []byte {
	b := []byte("\x00\x00\x00\x18ftyp" + brand + "\x00\x00\x02\x00" + brand + "isom")
	return append(b, make([]byte, 64)...)
}

func riff(form, chunk string) []byte {
	b := []byte("RIFF\x24\x00\x00\x00" + form + chunk + "\x10\x00\x00\x00")
	return append(b, make([]byte, 64)...)
}

func TestSniffDecidesTheTypeFromBytesAndOnlyMediaIsAllowed(t *testing.T) {
	cases := []struct {
		name     string
		data     []byte
		wantType string // "" when any refused type will do
		wantKind string // "" when it must be refused
	}{
		{"PNG", pngBytes(t), "image/png", "image"},
		{"JPEG", jpegBytes(t), "image/jpeg", "image"},
		{"GIF", gifBytes(t), "image/gif", "image"},
		{"WebP", riff("WEBP", "VP8 "), "image/webp", "image"},
		{"MP4 video", ftyp("mp42"), "video/mp4", "video"},
		{"WebM", append([]byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"), make([]byte, 64)...), "video/webm", "video"},
		{"MP3", append([]byte("\xff\xfb\x90\x64"), make([]byte, 413)...), "audio/mpeg", "audio"},
		{"M4A", ftyp("M4A "), "audio/mp4", "audio"},
		{"Ogg Vorbis", append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1e\x01vorbis"), make([]byte, 64)...), "audio/ogg", "audio"},
		{"WAV", riff("WAVE", "fmt "), "audio/wav", "audio"},
		{"PDF", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), "application/pdf", "pdf"},
		{"WebVTT", []byte("WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome to Get Started.\n"), "text/vtt", "captions"},
		{"ELF executable renamed lesson.png", elfBytes(t), "", ""},
		{"PE executable renamed lesson.png", peBytes(), "", ""},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml", ""},
		{"SVG with an XML declaration", []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", ""},
		{"HTML", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "text/html", ""},
		{"HTML without a doctype", []byte("  <html><head><title>x</title></head></html>"), "text/html", ""},
		{"ZIP archive", zipBytes(t), "application/zip", ""},
		{"plain text", []byte("just some notes"), "text/plain", ""},
		{"empty", nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, replay, err := storage.Sniff(bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if c.wantType != "" && ct != c.wantType {
				t.Errorf("Sniff = %q, want %q", ct, c.wantType)
			}
			kind, ok := storage.Allowed(ct)
			if ok != (c.wantKind != "") || kind != c.wantKind {
				t.Errorf("Allowed(%q) = %q, %v; want %q", ct, kind, ok, c.wantKind)
			}
			if got, _ := io.ReadAll(replay); !bytes.Equal(got, c.data) {
				t.Errorf("replay gave %d bytes, want the %d read", len(got), len(c.data))
			}
		})
	}
}

func TestSniffReplaysBytesBeyondWhatItInspects(t *testing.T) {
	data := append(pngBytes(t), bytes.Repeat([]byte{7}, 3*storage.SniffLen)...)
	ct, replay, err := storage.Sniff(onlyReader{bytes.NewReader(data)})
	if err != nil || ct != "image/png" {
		t.Fatalf("Sniff = %q, %v", ct, err)
	}
	if got, _ := io.ReadAll(replay); !bytes.Equal(got, data) {
		t.Errorf("replay gave %d bytes, want all %d", len(got), len(data))
	}
}

func TestAllowedIgnoresParametersAndKnowsAliases(t *testing.T) {
	cases := map[string]string{
		"text/vtt; charset=utf-8":  "captions",
		"IMAGE/PNG":                "image",
		"audio/x-m4a":              "audio",
		"audio/x-wav":              "audio",
		"image/svg+xml":            "",
		"text/html; charset=utf-8": "",
		"application/javascript":   "",
		"application/x-msdownload": "",
		"not a type":               "",
	}
	for ct, want := range cases {
		if kind, ok := storage.Allowed(ct); kind != want || ok != (want != "") {
			t.Errorf("Allowed(%q) = %q, %v; want %q", ct, kind, ok, want)
		}
	}
	if _, _, err := storage.Sniff(strings.NewReader("")); err != nil {
		t.Errorf("Sniff of an empty body: %v", err)
	}
}
