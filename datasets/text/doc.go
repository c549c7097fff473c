// Package text provides the text side of LoGAH's data: corpora, tokenizers and the token-stream
// batcher that feeds a causal language model such as GPT-2.
//
// The model is a pipeline of plain Go values, with no GoMLX code (the trainer turns batches into
// tensors):
//
//	Corpus (documents per split)  --Tokenize(tok, docs)-->  []int32 stream  --LMBatcher-->  LMBatch (B×T ids)
//
// # Corpora
//
// [LoadWikiText] reads WikiText-2 or WikiText-103 (the corpora of the LoGAH paper) from a folder
// the user downloaded; it never downloads. [GoSource] builds a corpus from the Go standard library
// sources found under GOROOT: always present where the notebooks run, so every tutorial works
// offline. Its train/validation split is decided by a hash of each file's path, and MaxBytes caps
// it for quick CPU runs. A document is what is tokenized on its own: a WikiText line (as in
// Hugging Face's datasets, whose pipeline LoGAH uses) or a Go file.
//
// # Tokenizers
//
// [Tokenizer] is the interface: Encode, Decode, VocabSize. [GPT2] is GPT-2's byte-level BPE
// (vocabulary 50257, ids identical to Hugging Face's), from github.com/tiktoken-go/tokenizer whose
// vocabulary is compiled in, so it works offline. [Bytes] is the byte-level tokenizer (vocabulary
// 256) for the smallest CPU models. [Tokenize] encodes many documents on all cores.
//
// # Batches
//
// [LMBatcher] cuts a token stream into blocks of context length T. Training draws B blocks at
// random offsets from a seeded stream ([LMBatcher.Next]) or visits the aligned blocks in a seeded
// order per epoch ([LMBatcher.Epoch]); validation reads the aligned blocks once in order
// ([LMBatcher.Sequential]). Labels are the inputs: the model shifts them, as Hugging Face's
// GPT2LMHeadModel does.
package text
