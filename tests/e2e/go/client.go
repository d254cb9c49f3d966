// An HTTPS client for the end-to-end tests, built by them with the system's Go: N requests,
// each on a new TLS connection, to PREFIX/1 .. PREFIX/N, with the TLS version pinned. It sets no
// KeyLogWriter: the keys must come from the capture. With -gate it waits for that file to exist
// first, so the capture can find it among the running processes before it makes any request.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	gate := flag.String("gate", "", "wait until this file exists")
	n := flag.Int("n", 10, "requests")
	version := flag.String("tls", "1.3", "TLS version: 1.2 or 1.3")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: client [-gate FILE] [-n N] [-tls 1.2|1.3] URL-PREFIX")
		os.Exit(2)
	}
	v := uint16(tls.VersionTLS13)
	if *version == "1.2" {
		v = tls.VersionTLS12
	}
	for *gate != "" {
		if _, err := os.Stat(*gate); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v},
			DisableKeepAlives: true,
		},
	}
	for i := 1; i <= *n; i++ {
		resp, err := client.Get(fmt.Sprintf("%s/%d", flag.Arg(0), i))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			fmt.Fprintln(os.Stderr, "request", i, "failed:", resp.Status, err)
			os.Exit(1)
		}
		fmt.Printf("%s", body)
	}
}
