//! Wall-clock times as the store writes them (UTC, ISO 8601), without a time-zone database.

use std::time::{SystemTime, UNIX_EPOCH};

/// `t` as "YYYY-MM-DDTHH:MM:SS.mmmZ" (the store's clock format). Digits are written one by
/// one, not through `format!`: the service stamps every request with this.
pub fn iso_utc(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            d.subsec_millis()
        );
    }
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u64);
    put(5, 2, u64::from(month));
    put(8, 2, u64::from(day));
    put(11, 2, (rem / 3600) as u64);
    put(14, 2, (rem % 3600 / 60) as u64);
    put(17, 2, (rem % 60) as u64);
    put(20, 3, u64::from(d.subsec_millis()));
    out.iter().map(|&b| char::from(b)).collect()
}

/// `t` to the minute for people: "YYYY-MM-DD HH:MM UTC".
pub fn minute_utc(t: SystemTime) -> String {
    let iso = iso_utc(t);
    format!("{} {} UTC", &iso[..10], &iso[11..16])
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn known_instants() {
        // 2000-02-29 12:34:56 UTC is 951,827,696 s after the epoch (`date -u -d @951827696`).
        let t = UNIX_EPOCH + Duration::from_millis(951_827_696_789);
        assert_eq!(iso_utc(t), "2000-02-29T12:34:56.789Z");
        assert_eq!(minute_utc(UNIX_EPOCH), "1970-01-01 00:00 UTC");
        // 2026-12-31 23:59:59.001 UTC is 1,798,761,599 s after the epoch.
        let t = UNIX_EPOCH + Duration::from_millis(1_798_761_599_001);
        assert_eq!(iso_utc(t), "2026-12-31T23:59:59.001Z");
    }
}
