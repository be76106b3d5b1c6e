//! What every exporter shares: the build time, atomic output files, the
//! selection of briefs, interruption handling and the run report.

mod atomic;
pub mod interrupt;
pub mod priority;
pub mod report;
pub mod select;
pub mod zip_entry;

pub use atomic::{AtomicFile, write_atomic};

/// When the output is "made": `SOURCE_DATE_EPOCH` when set (reproducible
/// builds; CI sets it to the last commit's time), else now. Seconds since
/// the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildTime {
    pub epoch: i64,
    /// True when taken from `SOURCE_DATE_EPOCH`.
    pub reproducible: bool,
}

impl BuildTime {
    /// Reads `SOURCE_DATE_EPOCH`; an unparsable value is an error rather than
    /// a silently irreproducible build.
    pub fn from_env() -> Result<BuildTime, String> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => {
                let epoch: i64 = v.trim().parse().map_err(|_| {
                    format!("SOURCE_DATE_EPOCH must be a number of seconds since 1970, found `{v}`")
                })?;
                if !(0..=253_402_300_799).contains(&epoch) {
                    return Err(format!("SOURCE_DATE_EPOCH `{v}` is out of range"));
                }
                Ok(BuildTime {
                    epoch,
                    reproducible: true,
                })
            }
            _ => Ok(BuildTime::now()),
        }
    }

    pub fn now() -> BuildTime {
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        BuildTime {
            epoch,
            reproducible: false,
        }
    }

    pub fn datetime(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(self.epoch)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
}
