//! kuzet: find calls to violence, violent threats and terrorist propaganda in web text.
pub mod lexicon;
pub mod matcher;
pub mod normalize;
pub mod score;
