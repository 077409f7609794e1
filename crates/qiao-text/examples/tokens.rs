//! Print what the analyzer makes of each argument (or of each line of standard input):
//! `cargo run --example tokens -- 電池熱管理 "CAR-T 细胞治疗"`.

use std::io::BufRead;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        args
    };
    let analyzer = qiao_text::default_analyzer();
    for text in &texts {
        let analysis = analyzer.analyze(text);
        println!("{text}  [{}]", analysis.script);
        for (name, tokens) in [("words", &analysis.words), ("bigrams", &analysis.bigrams)] {
            let shown: Vec<String> = tokens
                .iter()
                .map(|t| {
                    format!(
                        "{}@{}({}..{} {:?})",
                        t.text,
                        t.position,
                        t.start,
                        t.end,
                        &text[t.start..t.end]
                    )
                })
                .collect();
            println!("  {name}: {}", shown.join(" "));
        }
        let query = analyzer.analyze_query(text);
        println!("  query words: {}", query.words.join(" "));
    }
}
