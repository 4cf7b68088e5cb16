"""Makes the SentencePiece fixtures of SentencePieceModelTests with Google's reference implementation
(Debian's python3-sentencepiece 0.1.97; identity normalisation keeps the files small): a BPE and a unigram model trained on the built-in synthetic
speech's grammar words, and the reference's encodings of some sentences, which the C# side must match.
Run: /usr/bin/python3 make_models.py (writes *.model and expected.json here)."""
import io, json, random
import sentencepiece as spm

random.seed(7)
det = "the a my his her our this that".split()
adj = "quick old green small loud dark warm brave quiet red tall odd".split()
noun = "fox boat mill dog king cat ship bird house road tree farmer river horse girl boy lamp door bell wolf".split()
verb = "saw found left took heard met built fed moved kept liked lost".split()
prep = "near behind under with by past".split()
def np_(): return f"{random.choice(det)} {random.choice(adj)} {random.choice(noun)}" if random.random() < 0.6 else f"{random.choice(det)} {random.choice(noun)}"
def sentence():
    s = f"{np_()} {random.choice(verb)} {np_()}"
    return s + f" {random.choice(prep)} {np_()}" if random.random() < 0.5 else s
corpus = [sentence() for _ in range(400)]
tests = ["the quick fox saw a green boat near the old mill", "her odd wolf liked our tall farmer", "a dog", "zebra crossing"]
expected = {}
for kind, size in (("bpe", 60), ("unigram", 60)):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=model, vocab_size=size, model_type=kind,
                                   character_coverage=1.0, num_threads=1, seed_sentencepiece_size=100000, shuffle_input_sentence=False,
                                   normalization_rule_name="identity")  # no NFKC table: a 1 KB file
    open(f"grammar-{kind}.model", "wb").write(model.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    expected[kind] = {"pieces": [sp.id_to_piece(i) for i in range(sp.get_piece_size())],
                      "encodings": {t: sp.encode(t, out_type=str) for t in tests}}
json.dump(expected, open("expected.json", "w"), indent=1, ensure_ascii=False)
