// Package data embeds the manifests of the datasets that the kit can
// download, so that binaries need no copy of the repository at run time.
//
// A manifest is JSON that lists, for each file of a dataset, its path under
// the data directory, its upstream URL at a pinned commit, its size in
// bytes, its SHA-256 checksum and its license. Package
// github.com/dprkit/dprkit/dprlib/fetch parses manifests and downloads and
// verifies the files.
package data

import _ "embed"

// SCANManifest is the manifest of the SCAN files (Lake and Baroni 2018),
// from manifests/scan.json: the simple and length splits, the training
// files of the size variations, the license and the upstream README, all
// from github.com/brendenlake/SCAN at commit c4b756cbc010.
//
//go:embed manifests/scan.json
var SCANManifest []byte
