//! What reviewers read and send back: queues, cells, workbooks, the morning report, and importing decisions.

pub mod cell;
pub mod export;
pub mod import;
pub mod inbox;
pub mod queue;
pub mod report;
pub mod review;
pub mod workbook;
