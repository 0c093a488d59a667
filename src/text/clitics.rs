//! Arabic proclitics: conjunctions and prepositions written onto the next word (و and, ف so,
//! ب with, ل for, ك like, س will, and the pairs وس فس), found where a word begins instead of
//! being spelled out in the lexicon.
//!
//! A one-word Arabic term of three letters or more matches with any of them before it, the
//! hit covering the whole written word: `اقتلوهم` also finds `فاقتلوهم`. A phrase takes "and"
//! and "so" on its first word: `لن ترى الصباح` also finds `ولن ترى الصباح`. A term that begins
//! with a prefix of its own (a future or present: `ساقتلك`, `يقتلوا`, `نقتلهم`) takes only
//! "and" and "so". `ل` before the article is written `لل` (`للخونة`, for `الخونة`). Before,
//! each term was compiled once for each proclitic: some 12,000 more patterns for the bundled
//! lexicon, which made startup six times slower and screening's tables larger.

/// Which proclitics a term takes, or a proclitic needs of the term it is written onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
pub(crate) enum Takes {
    /// None: not one Arabic word of three letters or more.
    #[default]
    None,
    /// Only "and" and "so": the word begins with a prefix of its own.
    AndSo,
    /// Every proclitic.
    All,
}

/// Which proclitics the term `words` takes (see the module docs).
pub(crate) fn takes(words: &str) -> Takes {
    let arabic = |c: char| ('\u{0621}'..='\u{064A}').contains(&c);
    let mut it = words.split_whitespace();
    let Some(word) = it.next() else { return Takes::None };
    if it.next().is_some() {
        // A phrase takes "and" and "so" on its first word (ولن ترى, فلا تتركوهم): a clause
        // begins with them, and no first word of an Arabic phrase is و or ف alone.
        return if word.chars().all(arabic) && word.chars().count() >= 2 { Takes::AndSo } else { Takes::None };
    }
    if !word.chars().all(arabic) || word.chars().count() < 3 {
        return Takes::None;
    }
    if word.starts_with(['س', 'ه', 'ح', 'ب', 'ي', 'ت', 'ن']) { Takes::AndSo } else { Takes::All }
}

/// A place a term may begin inside a written word, past its proclitics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    /// Bytes of the word before it.
    pub skip: usize,
    /// Bytes the term has before that place which the word does not spell (`ا` of the article
    /// after `ل`).
    pub prefix: &'static str,
    /// What the term must take.
    pub needs: Takes,
}

const WAW: &str = "و";
const FA: &str = "ف";
const SIN: &str = "س";
const LAM: &str = "ل";

/// The places past proclitics where a term may begin in the word at the start of `word` (a
/// normalized view from a word start on), at most three.
pub(crate) fn starts(word: &[u8]) -> impl Iterator<Item = Start> {
    let mut out = [None; 3];
    // Every proclitic letter is two bytes, led by 0xD8 or 0xD9.
    if word.first().is_some_and(|&b| b == 0xD8 || b == 0xD9) {
        let at = |k: usize, s: &str| word.get(k..).is_some_and(|w| w.starts_with(s.as_bytes()));
        let is = |k: usize, set: &[&str]| set.iter().any(|s| at(k, s));
        if is(0, &[WAW, FA]) {
            out[0] = Some(Start { skip: 2, prefix: "", needs: Takes::AndSo });
            if at(2, SIN) {
                out[1] = Some(Start { skip: 4, prefix: "", needs: Takes::All });
            }
        } else if is(0, &["ب", "ك", SIN, LAM]) {
            out[0] = Some(Start { skip: 2, prefix: "", needs: Takes::All });
            if at(0, LAM) && at(2, LAM) {
                out[1] = Some(Start { skip: 2, prefix: "ا", needs: Takes::All });
            }
        }
    }
    out.into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_terms_take_proclitics() {
        let cases = [
            ("اقتلوهم", Takes::All),
            ("الخونه", Takes::All),
            ("ساقتلك", Takes::AndSo),
            ("نقتلهم", Takes::AndSo),
            ("دم", Takes::None),
            ("اقتلوا الكفار", Takes::AndSo),
            ("لن ترى الصباح", Takes::AndSo),
            ("و الله", Takes::None),
            ("kill", Takes::None),
            ("قتلx", Takes::None),
        ];
        for (words, want) in cases {
            assert_eq!(takes(words), want, "{words}");
        }
    }

    #[test]
    fn where_a_term_may_begin_past_proclitics() {
        let cases: [(&str, &[(&str, &str, Takes)]); 7] = [
            ("فاقتلوهم", &[("اقتلوهم", "", Takes::AndSo)]),
            ("وسنقتلهم", &[("سنقتلهم", "", Takes::AndSo), ("نقتلهم", "", Takes::All)]),
            ("للخونه", &[("لخونه", "", Takes::All), ("لخونه", "ا", Takes::All)]),
            ("بالسكين", &[("السكين", "", Takes::All)]),
            ("قتل", &[]),
            ("kill", &[]),
            ("", &[]),
        ];
        for (word, want) in cases {
            let got: Vec<(&str, &str, Takes)> = starts(word.as_bytes()).map(|s| (&word[s.skip..], s.prefix, s.needs)).collect();
            assert_eq!(got, want, "{word}");
        }
    }
}
