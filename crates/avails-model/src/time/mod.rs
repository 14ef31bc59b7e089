//! One owner for dates, times, UTC offsets and durations, as the Avails API
//! writes them (the reference, Type AvailTrans: Start and End are
//! `DateTime`, "date et heure ... au format ISO"; Type Term: `Duration` is
//! an ISO 8601 duration).
//!
//! The rules check values by [`DateTime::parse`] and [`Duration::parse`],
//! diff compares them by the same, and the EMA readers (which accept more:
//! Excel serial days, `3/14/2023` under a date order) explain an impossible
//! date by [`CalendarDate::check`].

mod calendar;
mod datetime;
mod duration;
mod offset;

pub use calendar::{days_in_month, is_leap_year, CalendarDate, ImpossibleDate};
pub use datetime::{is_time_of_day, DateTime, DateTimeError, DATE_TIME_FORM};
pub use duration::Duration;
pub use offset::{UtcOffset, OFFSET_FORMS};
