//! The Rust model against the wheel's own engine: for every text of
//! `tests/fixtures/reference.json` (made by `scripts/embed-reference.py`) the token ids must be
//! those of the XLM-R `tokenizer.json`, the token count the engine's, and the embedding's
//! cosine with the engine's at least 0.99. Also: damaged model files are errors, not panics.
//!
//! The model comes from `QIAO_MODEL_DIR`, else `data/model` at the workspace root. Without it
//! these tests fail on purpose: a skipped comparison would look like a passing one.

use std::path::PathBuf;
use std::sync::OnceLock;

use qiao_embed::{Error, Model, Side};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    side: String,
    script: String,
    text: String,
    tokens: usize,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn model_dir() -> PathBuf {
    std::env::var_os("QIAO_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/model"))
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| match Model::load_plain(&model_dir()) {
        Ok(m) => m,
        Err(e @ Error::ModelMissing { .. }) => panic!(
            "{e}\n(run `cargo run -p qiao -- model setup`, or scripts/test which does it, \
             or point QIAO_MODEL_DIR at a directory holding e5-small-q4.bin)"
        ),
        Err(e) => panic!("{e}"),
    })
}

fn reference() -> Reference {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn side(item: &Item) -> Side {
    match item.side.as_str() {
        "query" => Side::Query,
        "passage" => Side::Passage,
        s => panic!("unknown side {s}"),
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

#[test]
fn token_ids_match_the_reference_tokenizer() {
    let model = model();
    let reference = reference();
    assert!(reference.items.len() >= 36);
    for item in &reference.items {
        let ids = model.token_ids(&item.text, side(item));
        assert_eq!(ids, item.ids, "token ids of {:?}", item.text);
        assert_eq!(ids.len(), item.tokens, "token count of {:?}", item.text);
    }
}

#[test]
fn embeddings_match_the_wheel_engine() {
    let model = model();
    let reference = reference();
    let passages: Vec<&str> = reference
        .items
        .iter()
        .filter(|i| side(i) == Side::Passage)
        .map(|i| i.text.as_str())
        .collect();
    // Passages go through the batch (threaded) path, queries one at a time.
    let mut batch = model.embed_passages(&passages).into_iter();
    let mut worst = (1.0f32, String::new());
    let mut traditional = 0;
    for item in &reference.items {
        let got = match side(item) {
            Side::Query => model.embed_query(&item.text),
            Side::Passage => batch.next().unwrap(),
            Side::Bare => unreachable!("the reference has only query and passage texts"),
        };
        assert_eq!(got.len(), Model::DIM);
        let norm: f32 = got.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        let c = cosine(&got, &item.embedding);
        eprintln!("{c:.6} {} {} {:.40}", item.side, item.script, item.text);
        if c < worst.0 {
            worst = (c, item.text.clone());
        }
        traditional += usize::from(item.script == "traditional");
        assert!(
            c >= 0.99,
            "cosine {c} with the engine for the {} {:?}",
            item.side,
            item.text
        );
    }
    assert!(traditional >= 18);
    eprintln!("lowest cosine {:.6} for {:.40}", worst.0, worst.1);
}

#[test]
fn query_and_passage_prefixes_differ() {
    let model = model();
    let q = model.embed_query("锂电池回收");
    let p = model.embed_passages(&["锂电池回收"]);
    let c = cosine(&q, &p[0]);
    assert!(c < 0.999 && c > 0.8, "cosine {c}");
}

#[test]
fn damaged_files_are_errors() {
    let path = model_dir().join(qiao_embed::MODEL_FILE);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Cut inside the header, the piece offsets, the piece text, the normalisation table, the
    // tensor directory, the word embeddings and the last tensor.
    for len in [
        0,
        3,
        40,
        1_000,
        3_000_000,
        4_600_000,
        4_632_437,
        4_638_000,
        30_000_000,
        bytes.len() - 1,
    ] {
        match Model::from_bytes(&bytes[..len]) {
            Err(Error::Corrupt(msg)) => assert!(!msg.is_empty()),
            Err(e) => panic!("cut at {len}: unexpected error {e}"),
            Ok(_) => panic!("a file cut at {len} bytes loaded"),
        }
    }
    let mut wrong_magic = bytes[..100].to_vec();
    wrong_magic[0] = b'X';
    assert!(
        matches!(Model::from_bytes(&wrong_magic), Err(Error::Corrupt(m)) if m.contains("E5S1"))
    );
    // A piece count far beyond the file must be refused before anything is allocated.
    let mut huge = bytes[..100_000].to_vec();
    huge[44..48].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(Model::from_bytes(&huge).is_err());
    // A tensor offset pointing past the end.
    let dir_end = 4_638_248;
    let mut bad_offset = bytes.clone();
    // The last directory entry's offset is 16 bytes before the directory's end.
    bad_offset[dir_end - 16..dir_end - 8].copy_from_slice(&(u64::MAX - 10).to_le_bytes());
    match Model::from_bytes(&bad_offset) {
        Err(Error::Corrupt(msg)) => assert!(msg.contains("l11.oln.b"), "{msg}"),
        other => panic!("a tensor past the end gave {other:?}"),
    }
}

#[test]
fn any_cut_or_flipped_header_byte_is_an_error_or_a_model_never_a_panic() {
    use qiao_embed::container::Container;
    let path = model_dir().join(qiao_embed::MODEL_FILE);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // A fixed-seed linear congruential sequence: the same cuts every run.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |bound: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % bound
    };
    for _ in 0..48 {
        let cut = next(bytes.len());
        assert!(
            Container::parse(&bytes[..cut]).is_err(),
            "a file cut at {cut} bytes parsed"
        );
    }
    // Any value in any header field (shape, ids, lengths) is refused or understood.
    // Up to the end of the tensor directory: tables parse, tensors lie past the end.
    let tables_end = 4_638_248;
    for _ in 0..64 {
        let mut damaged = bytes[..tables_end].to_vec();
        let at = 4 + next(64);
        damaged[at] = next(256) as u8;
        let _ = Container::parse(&damaged);
    }
}

#[test]
fn missing_model_says_how_to_fetch_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = Model::load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::ModelMissing { .. }));
    assert!(err.to_string().contains("qiao model setup"), "{err}");
}

#[test]
fn the_tuned_layers_change_the_vectors_and_their_name() {
    let tuned = Model::load(&model_dir()).unwrap();
    let plain = model();
    assert!(
        tuned.tuned_digest().is_some(),
        "Model::load applies the shipped layers"
    );
    assert!(plain.tuned_digest().is_none());
    assert_ne!(tuned.embedder(), plain.embedder());
    assert!(tuned.embedder().contains("tuned"), "{}", tuned.embedder());
    let text = "注塑外壳表面有缩痕和银纹，良品率上不去";
    let (a, b) = (tuned.embed_query(text), plain.embed_query(text));
    let cosine: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    // Layers 8..11 retrained: another vector, still the same text's.
    assert!((0.5..0.999).contains(&cosine), "cosine {cosine}");
}

/// An E5L1 file of the given (name, bytes) tensors (crates/qiao-embed/src/layers.rs).
fn layers_file(tensors: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"E5L1".to_vec();
    out.extend((tensors.len() as u32).to_le_bytes());
    for (name, data) in tensors {
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(name.as_bytes());
        out.extend((data.len() as u64).to_le_bytes());
        out.extend(data);
    }
    out
}

#[test]
fn tuned_layers_that_do_not_fit_the_model_write_nothing() {
    use qiao_embed::TunedLayers;
    use qiao_embed::container::Container;
    let bytes = std::fs::read(model_dir().join(qiao_embed::MODEL_FILE)).unwrap();
    let bias = Container::parse(&bytes).unwrap().tensors["l9.q.b"].clone();
    let zeros = vec![0u8; bias.size];
    for (bad, says) in [
        (
            vec![("l9.q.b", zeros.clone()), ("l99.q.w", vec![0; 4])],
            "l99.q.w",
        ),
        (
            vec![("l9.q.b", zeros.clone()), ("l9.k.b", vec![0; 8])],
            "8 bytes for l9.k.b",
        ),
    ] {
        let layers = TunedLayers::from_bytes(&layers_file(&bad)).unwrap();
        let mut copy = bytes.clone();
        let err = layers.apply(&mut copy).unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
        assert!(copy == bytes, "a refused file wrote over the model");
    }
    // A fitting file writes exactly its tensor.
    let layers = TunedLayers::from_bytes(&layers_file(&[("l9.q.b", zeros.clone())])).unwrap();
    let mut copy = bytes.clone();
    layers.apply(&mut copy).unwrap();
    assert_eq!(&copy[bias.offset..bias.offset + bias.size], &zeros[..]);
    let changed = copy.iter().zip(&bytes).filter(|(a, b)| a != b).count();
    assert!(changed > 0 && changed <= bias.size);
    // Damaged files are refused when read.
    let good = layers_file(&[("l9.q.b", zeros)]);
    for cut in [3, 8, 12, good.len() - 1] {
        assert!(
            TunedLayers::from_bytes(&good[..cut]).is_err(),
            "cut at {cut} parsed"
        );
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(TunedLayers::from_bytes(&trailing).is_err());
}
