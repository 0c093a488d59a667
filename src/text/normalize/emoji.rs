//! Emoji that can stand for an act of violence (🔪 💣 🔫 …) read as words of their own.
//!
//! In the strict view each of these pictographs becomes one word, `emoji` + a name (`🔪` →
//! `emojiknife`), set apart from the letters around it (`тебя🔪` is two words), with every
//! byte of the word mapped to the pictograph, so a hit quotes the emoji as written. Lexicon
//! terms are normalized the same way, so a rules file names them by writing the emoji itself.
//! Variation selectors and the zero-width joiner are already dropped as default-ignorable;
//! skin-tone modifiers are dropped here. Every other emoji stays punctuation, as before.

/// The word a pictograph is read as, if it is one that can stand for a violent act.
pub(super) fn word(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{1F52A}' => "emojiknife",      // 🔪 hocho
        '\u{1F5E1}' => "emojidagger",     // 🗡
        '\u{2694}' => "emojiswords",      // ⚔
        '\u{1F52B}' => "emojigun",        // 🔫
        '\u{1F4A3}' => "emojibomb",       // 💣
        '\u{1F9E8}' => "emojidynamite",   // 🧨
        '\u{1F4A5}' => "emojiboom",       // 💥 collision
        '\u{1FA93}' => "emojiaxe",        // 🪓
        '\u{26B0}' => "emojicoffin",      // ⚰
        '\u{26B1}' => "emojiurn",         // ⚱
        '\u{1FAA6}' => "emojiheadstone",  // 🪦
        '\u{2620}' => "emojicrossbones",  // ☠
        '\u{1F480}' => "emojiskull",      // 💀
        '\u{1F525}' => "emojifire",       // 🔥
        '\u{1FA78}' => "emojiblood",      // 🩸
        '\u{1FAA2}' => "emojiknot",       // 🪢
        // Vehicles, for ramming (🚗💥 into the crowd): counted only next to a crowd.
        '\u{1F697}' => "emojicar",        // 🚗
        '\u{1F699}' => "emojisuv",        // 🚙
        '\u{1F69A}' => "emojitruck",      // 🚚
        '\u{1F69B}' => "emojilorry",      // 🚛
        '\u{1F6FB}' => "emojipickup",     // 🛻
        '\u{1F690}' => "emojivan",        // 🚐
        _ => return None,
    })
}

/// Emoji modifiers (skin tones), which only colour the pictograph before them.
pub(super) fn is_modifier(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF)
}
