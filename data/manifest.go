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

// GSM8KManifest is the manifest of the GSM8K files (Cobbe et al. 2021),
// from manifests/gsm8k.json: the training and test files of grade-school
// math word problems with worked solutions, and the MIT license, all from
// github.com/openai/grade-school-math at commit 3101c7d50724.
//
//go:embed manifests/gsm8k.json
var GSM8KManifest []byte

// SIGMORPHON2017Manifest is the manifest of the CoNLL-SIGMORPHON 2017
// morphological inflection files (task 1), from manifests/sigmorphon2017.json:
// for English, German and Spanish, the high, medium and low training files,
// the development file and the gold test file, plus the upstream README
// files, all from github.com/sigmorphon/conll2017 at commit 519bb1677a7c.
// Upstream has no license file; the rows come from UniMorph, which
// publishes them under CC BY-SA 3.0.
//
//go:embed manifests/sigmorphon2017.json
var SIGMORPHON2017Manifest []byte
