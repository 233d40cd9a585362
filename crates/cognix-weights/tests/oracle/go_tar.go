// The oracle for cognix's tar writer: Go's archive/tar driven with the header fields cog's
// packer uses (PAX, 0644/0755, uid/gid 0, mtime/atime/ctime the Unix epoch, parent directories
// first), over synthetic files whose content is their path repeated to their size. Prints one
// line per case: `<case> <sha256 of the tar> <size>`, and for a file of 8 GiB + 1 byte the hex of
// its headers. tests/fixtures/go-tar.txt is this program's output; regenerate it with
//   go run tests/oracle/go_tar.go > tests/fixtures/go-tar.txt
package main

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

type file struct {
	path string
	size int64
}

// content is the file's path repeated, cut to its size.
func content(f file) []byte {
	if f.size == 0 {
		return nil
	}
	return []byte(strings.Repeat(f.path, int(f.size)/len(f.path)+1)[:f.size])
}

var epoch = time.Unix(0, 0)

func dirs(files []file) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		dir := path.Dir(f.path)
		if dir == "." {
			continue
		}
		parts := strings.Split(dir, "/")
		for i := range parts {
			d := strings.Join(parts[:i+1], "/")
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

func layer(w io.Writer, files []file, withData bool) {
	tw := tar.NewWriter(w)
	for _, d := range dirs(files) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: epoch, AccessTime: epoch, ChangeTime: epoch, Format: tar.FormatPAX}); err != nil {
			panic(err)
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.path, Size: f.size, Mode: 0o644, ModTime: epoch, AccessTime: epoch, ChangeTime: epoch, Format: tar.FormatPAX}); err != nil {
			panic(err)
		}
		if !withData {
			return
		}
		if _, err := tw.Write(content(f)); err != nil {
			panic(err)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
}

type counter struct {
	n int64
}

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func main() {
	cases := []struct {
		name  string
		files []file
	}{
		{"single", []file{{"model.safetensors", 1000}}},
		{"bundle", []file{{"1_Pooling/config.json", 190}, {"a/b/c/deep.txt", 513}, {"config.json", 200}, {"tokenizer.json", 1024}}},
		{"empty-file", []file{{"empty", 0}}},
		{"long-name", []file{{strings.Repeat("long-directory-name/", 6) + "file-with-a-long-name.json", 77}}},
		{"non-ascii", []file{{"données/modèle.json", 33}}},
		{"exact-block", []file{{"x/512.bin", 512}, {"x/y/1024.bin", 1024}}},
	}
	for _, c := range cases {
		h := sha256.New()
		n := &counter{}
		layer(io.MultiWriter(h, n), c.files, true)
		fmt.Printf("%s sha256:%s %d\n", c.name, hex.EncodeToString(h.Sum(nil)), n.n)
	}
	var buf strings.Builder
	layer(&buf, []file{{"huge.gguf", 8<<30 + 1}}, false)
	fmt.Printf("huge-headers %s\n", hex.EncodeToString([]byte(buf.String())))
}
