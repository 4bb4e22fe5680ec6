//! The `.ts` format of the UCR and UEA time-series classification archives, as sktime and aeon
//! write it: `#` comment lines, `@` header lines (`@problemName`, `@univariate`, `@dimensions`,
//! `@equalLength`, `@seriesLength`, `@classLabel true A B …`, `@missing`, `@timeStamps`), then
//! after `@data` one case a line: each dimension's values separated by `,`, the dimensions by
//! `:`, the class label last. Series of unequal length are read; missing values (`?`, `NaN`)
//! and timestamped series are refused, with the line that holds them.

use std::fmt;
use std::path::Path;

/// One case: a series of every channel (`series[c][t]`, all of one length) and its class.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub series: Vec<Vec<f32>>,
    pub label: usize,
}

impl Case {
    /// Its length in steps.
    pub fn len(&self) -> usize {
        self.series.first().map_or(0, Vec::len)
    }
}

/// A problem's cases, with its class names (a case's `label` indexes them, in the order of the
/// header's `@classLabel`).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    pub channels: usize,
    pub classes: Vec<String>,
    pub cases: Vec<Case>,
}

impl Dataset {
    /// The longest case's length.
    pub fn max_len(&self) -> usize {
        self.cases.iter().map(Case::len).max().unwrap_or(0)
    }
}

/// Why a `.ts` file cannot be read: its line (from 1, 0 for the file as a whole) and what is
/// wrong there.
#[derive(Debug, Clone, PartialEq)]
pub struct TsError {
    pub line: usize,
    pub what: String,
}

impl fmt::Display for TsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.what)
        } else {
            write!(f, "line {}: {}", self.line, self.what)
        }
    }
}

fn error<T>(line: usize, what: impl Into<String>) -> Result<T, TsError> {
    Err(TsError {
        line,
        what: what.into(),
    })
}

/// Reads a `.ts` file.
pub fn read_file(path: &Path) -> Result<Dataset, TsError> {
    let text = std::fs::read_to_string(path).map_err(|e| TsError {
        line: 0,
        what: format!("cannot read {}: {e}", path.display()),
    })?;
    parse(&text)
}

/// Parses the text of a `.ts` file.
pub fn parse(text: &str) -> Result<Dataset, TsError> {
    let mut name = String::new();
    let mut classes: Option<Vec<String>> = None;
    let mut dimensions: Option<usize> = None;
    let mut data = false;
    let mut cases = Vec::new();
    let mut channels = None;
    for (k, raw) in text.lines().enumerate() {
        let n = k + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !data {
            let Some(header) = line.strip_prefix('@') else {
                return error(n, "a case before @data");
            };
            let mut words = header.split_whitespace();
            let key = words.next().unwrap_or("").to_ascii_lowercase();
            let rest: Vec<&str> = words.collect();
            match key.as_str() {
                "problemname" => name = rest.join(" "),
                "timestamps" if rest.first().is_some_and(|v| v.eq_ignore_ascii_case("true")) => {
                    return error(n, "timestamped series are not supported");
                }
                "classlabel" => match rest.split_first() {
                    Some((flag, labels))
                        if flag.eq_ignore_ascii_case("true") && !labels.is_empty() =>
                    {
                        classes = Some(labels.iter().map(|s| (*s).to_string()).collect());
                    }
                    _ => {
                        return error(
                            n,
                            "@classLabel must be `true` and the class names: a problem without labels cannot be trained",
                        );
                    }
                },
                "dimensions" => match rest.first().and_then(|v| v.parse().ok()) {
                    Some(d) if d > 0 => dimensions = Some(d),
                    _ => return error(n, "@dimensions is not a positive whole number"),
                },
                "data" => data = true,
                _ => {} // @univariate, @equalLength, @seriesLength, @missing…: checked on the data
            }
            continue;
        }
        let Some(classes) = classes.as_ref() else {
            return error(n, "no @classLabel line before @data");
        };
        let parts: Vec<&str> = line.split(':').collect();
        let (label, dims) = parts.split_last().expect("split yields at least one part");
        if dims.is_empty() {
            return error(
                n,
                "a case needs its values and its class label, separated by `:`",
            );
        }
        let label = label.trim();
        let Some(label) = classes.iter().position(|c| c == label) else {
            return error(
                n,
                format!("class label `{label}` is not one of @classLabel's"),
            );
        };
        let mut series = Vec::with_capacity(dims.len());
        for (c, dim) in dims.iter().enumerate() {
            let mut values = Vec::new();
            for v in dim.split(',') {
                let v = v.trim();
                if v == "?" || v.eq_ignore_ascii_case("nan") {
                    return error(
                        n,
                        format!(
                            "a missing value in dimension {} (missing values are not supported)",
                            c + 1
                        ),
                    );
                }
                match v.parse::<f32>() {
                    Ok(x) if x.is_finite() => values.push(x),
                    _ => {
                        return error(
                            n,
                            format!("dimension {}: `{v}` is not a finite number", c + 1),
                        );
                    }
                }
            }
            series.push(values);
        }
        if series.iter().any(|s| s.len() != series[0].len()) {
            return error(n, "the dimensions of a case differ in length");
        }
        match channels {
            None => channels = Some(series.len()),
            Some(c) if c != series.len() => {
                return error(
                    n,
                    format!("{} dimensions, the first case has {c}", series.len()),
                );
            }
            Some(_) => {}
        }
        if dimensions.is_some_and(|d| d != series.len()) {
            return error(
                n,
                format!(
                    "{} dimensions, @dimensions says {}",
                    series.len(),
                    dimensions.unwrap_or(0)
                ),
            );
        }
        cases.push(Case { series, label });
    }
    let Some(classes) = classes else {
        return error(
            0,
            "no @classLabel line: not a classification problem in the .ts format",
        );
    };
    if !data || cases.is_empty() {
        return error(0, "no cases after @data");
    }
    Ok(Dataset {
        name,
        channels: channels.unwrap_or(0),
        classes,
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "# a comment\n@problemName Tiny\n@timeStamps false\n@missing false\n\
        @univariate false\n@dimensions 2\n@equalLength false\n@classLabel true up down\n@data\n\
        1,2,3:4,5,6:up\n\n0.5,-1e-3:7,8:down\n";

    #[test]
    fn reads_cases_of_unequal_length_with_their_labels() {
        let d = parse(SMALL).unwrap();
        assert_eq!(
            (d.name.as_str(), d.channels, d.classes.len()),
            ("Tiny", 2, 2)
        );
        assert_eq!(d.cases.len(), 2);
        assert_eq!(
            d.cases[0],
            Case {
                series: vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]],
                label: 0
            }
        );
        assert_eq!(d.cases[1].series, vec![vec![0.5, -1e-3], vec![7.0, 8.0]]);
        assert_eq!((d.cases[1].label, d.max_len()), (1, 3));
    }

    #[test]
    fn refuses_what_it_cannot_train_on_with_the_line() {
        let bad = |edit: (&str, &str)| parse(&SMALL.replace(edit.0, edit.1)).unwrap_err();
        assert_eq!(bad(("1,2,3:4", "1,?,3:4")).line, 10);
        assert!(bad(("1,2,3:4", "1,?,3:4")).what.contains("missing value"));
        assert!(bad(("1,2,3:4", "1,NaN,3:4")).what.contains("missing value"));
        assert!(
            bad(("1,2,3:4", "1,x,3:4"))
                .what
                .contains("not a finite number")
        );
        assert!(
            bad(("1,2,3:4,5,6", "1,2,3:4,5"))
                .what
                .contains("differ in length")
        );
        assert!(bad((":down", ":left")).what.contains("not one of"));
        assert!(bad(("4,5,6:up", "up")).what.contains("1 dimensions"));
        assert!(
            bad(("@timeStamps false", "@timeStamps true"))
                .what
                .contains("timestamped")
        );
        assert!(
            bad(("@classLabel true up down", "@classLabel false"))
                .what
                .contains("@classLabel")
        );
        assert_eq!(bad(("@data\n", "")).line, 9);
        assert!(
            parse("@problemName x\n@classLabel true a\n@data\n")
                .unwrap_err()
                .what
                .contains("no cases")
        );
        assert!(
            parse("@data\n1,2:a\n")
                .unwrap_err()
                .what
                .contains("@classLabel")
        );
    }
}
