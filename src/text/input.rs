//! Opening input files that may be hostile: only regular files are read. A FIFO is opened
//! without blocking (it would otherwise wait for a writer forever) and refused, as are
//! sockets, devices and folders. Used for classify's inputs, reviewers' saved files and
//! lexicon files. It does not limit sizes or decode anything.

use std::io::Read;
use std::path::Path;

/// Opens `path` for reading if it is a regular file; an error naming what it is otherwise.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() { "a folder" } else { "a FIFO, socket or device" };
        return Err(std::io::Error::other(format!("not a regular file ({what}): not read")));
    }
    Ok(file)
}

/// The whole content of the regular file `path` ([`open_regular`]).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"text").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"text");
        let err = read_regular(dir.path()).unwrap_err().to_string();
        assert!(err.contains("a folder"), "{err}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("pipe");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let err = read_regular(&fifo).unwrap_err().to_string();
            assert!(err.contains("FIFO"), "{err}");
        }
    }
}
