//! The annotated copy of an XLSX (or XLSM) workbook, made by copying its
//! package and changing only what the marks need:
//!
//! * each marked sheet's XML is streamed (never held whole), each marked
//!   cell's style index pointing at a copy of its own style with the mark's
//!   fill; a marked cell the sheet does not have (an empty cell) is added
//!   with the style its row or column gives, filled;
//! * its comments part gets the notes: a cell's existing comment keeps its
//!   text and gets the findings appended; other cells get new comments,
//!   with their shapes in the sheet's VML drawing (created, with the
//!   relationships, content type and `legacyDrawing` element, when the
//!   sheet has none);
//! * the styles part gets appended entries (see [`crate::styles`]);
//! * the workbook gets a last sheet, Findings, written here as XML.
//!
//! Every other part is copied byte for byte, compressed as it was: shared
//! strings, formulas, data validations, conditional formats, defined
//! names, freeze panes, filters, other tabs, images, macros.

use crate::BoxedError;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::findings::{COLUMNS, HEADER_ROW, MAX_LINKS};
use crate::place::{self, Place};
use crate::read::SheetInfo;
use crate::styles::{self, FindingsStyles, StyleBook};
use crate::xml::{self, cell_name, escape, Edits};
use crate::{names, style, AnnotateError, Annotated, Mark, Options, RowTexts, Severity};

const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
const CT_WORKSHEET: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const CT_STYLES: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";
const CT_VML: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";
const CT_MACRO_MAIN: &str = "application/vnd.ms-excel.sheet.macroEnabled.main+xml";
const CT_MAIN: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
/// Elements that follow `legacyDrawing` in a worksheet (ECMA-376 CT_Worksheet).
const AFTER_LEGACY_DRAWING: [&[u8]; 8] = [
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
];
/// Width of the Findings sheet's columns, in characters.
const WIDTHS: [f64; 9] = [10.0, 16.0, 9.0, 90.0, 18.0, 9.0, 30.0, 24.0, 28.0];
/// Characters of a message per line of its wrapped cell.
const MESSAGE_LINE_CHARS: usize = 110;
/// Height of a line of text, in points.
const LINE_HEIGHT: f64 = 15.0;
/// Most lines a message row grows to.
const MAX_LINES: usize = 12;
/// Shapes a VML drawing's id block holds.
const SHAPES_PER_BLOCK: u64 = 1024;

/// One relationship of a part.
#[derive(Debug, Clone)]
struct Rel {
    id: String,
    typ: String,
    target: String,
}

/// The input package.
struct Package<R> {
    zip: ZipArchive<R>,
    names: Vec<String>,
    taken: HashSet<String>,
}

impl<R: Read + Seek> Package<R> {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(i) = self.index(name) else {
            return Ok(None);
        };
        let mut file = self.zip.by_index(i).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        file.read_to_end(&mut out).map_err(|e| e.to_string())?;
        Ok(Some(out))
    }

    fn index(&self, name: &str) -> Option<usize> {
        let name = name.trim_start_matches('/');
        self.names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.names.iter().position(|n| n.eq_ignore_ascii_case(name)))
    }

    fn rels(&mut self, part: &str) -> Result<Vec<Rel>, String> {
        let Some(bytes) = self.read(&rels_path(part))? else {
            return Ok(Vec::new());
        };
        Ok(xml::elements(&bytes)?
            .iter()
            .filter(|e| xml::local_name(&e.name) == b"Relationship")
            .filter_map(|e| {
                Some(Rel {
                    id: e.attr(b"Id")?,
                    typ: e.attr(b"Type").unwrap_or_default(),
                    target: e.attr(b"Target")?,
                })
            })
            .filter(|r| !r.typ.is_empty())
            .collect())
    }

    /// A part name `{stem}{n}{ext}` no part has, reserved.
    fn fresh(&mut self, stem: &str, ext: &str) -> String {
        let name = (1..)
            .map(|n| format!("{stem}{n}{ext}"))
            .find(|n| !self.taken.contains(&n.to_lowercase()))
            .unwrap_or_default();
        self.taken.insert(name.to_lowercase());
        name
    }
}

/// The `_rels` part of a part.
fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// The folder of a part.
fn dir_of(part: &str) -> &str {
    part.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A relationship target resolved against the folder of the part naming it.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The target naming `part` from a part in folder `dir`.
fn relative(dir: &str, part: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = part.split('/').filter(|s| !s.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to[common..]);
    out.join("/")
}

/// An id no relationship of `rels` has.
fn fresh_id(rels: &[Rel], taken: &mut Vec<String>) -> String {
    let id = (1..)
        .map(|n| format!("rId{n}"))
        .find(|id| !rels.iter().any(|r| &r.id == id) && !taken.contains(id))
        .unwrap_or_default();
    taken.push(id.clone());
    id
}

/// A `.rels` part: the existing one with `added` appended, or a new one.
fn with_relationships(
    existing: Option<&[u8]>,
    added: &[(String, &str, String)],
) -> Result<Vec<u8>, String> {
    let items: String = added
        .iter()
        .map(|(id, typ, target)| {
            format!(
                "<Relationship Id=\"{}\" Type=\"{}\" Target=\"{}\"/>",
                escape(id),
                escape(typ),
                escape(target)
            )
        })
        .collect();
    match existing {
        Some(bytes) => {
            let els = xml::elements(bytes)?;
            let root = els.first().ok_or("an empty relationships part")?;
            let p = root.prefix();
            let items = items.replace("<Relationship ", &format!("<{p}Relationship "));
            let mut edits = Edits::default();
            xml::append_into(&mut edits, root, &items);
            Ok(edits.apply(bytes))
        }
        None => Ok(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"{PKG_REL_NS}\">{items}</Relationships>"
        )
        .into_bytes()),
    }
}

/// What is done to one marked sheet.
struct SheetPlan {
    /// Index among the worksheets.
    sheet: usize,
    /// Its part.
    part: String,
    /// Marked cells, in row order, with their worst severity.
    cells: Vec<((u32, u16), Severity)>,
    /// The id of a `legacyDrawing` to add (a new VML drawing).
    legacy: Option<String>,
    /// Texts of new columns by 0-based row, and their titles' row.
    columns: BTreeMap<u32, RowTexts>,
    /// The titles of the new columns.
    titles: Vec<String>,
    /// The row the titles go on.
    title_row: Option<u32>,
    /// The style of the titles.
    bold: u32,
}

/// A part written as the copy is saved, streamed into it (the Findings
/// sheet, new comments and drawings grow with the findings).
type Writes<'m> = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + 'm>;

/// A new part: its bytes, or what writes them.
enum Added<'m> {
    Bytes(Vec<u8>),
    Streamed(Writes<'m>),
}

/// The parts written instead of the input's, or added.
#[derive(Default)]
struct Outputs<'m> {
    /// By lower-cased part name.
    replaced: HashMap<String, Vec<u8>>,
    added: Vec<(String, Added<'m>)>,
}

impl<'m> Outputs<'m> {
    fn add(&mut self, name: String, bytes: Vec<u8>) {
        self.added.push((name, Added::Bytes(bytes)));
    }

    fn stream(&mut self, name: String, writes: Writes<'m>) {
        self.added.push((name, Added::Streamed(writes)));
    }
}

/// Writes the annotated copy of the XLSX `input` into `out`.
pub fn write(
    input: &Path,
    output: &Path,
    out: &File,
    marks: &[Mark],
    options: &Options,
    macro_free: bool,
) -> Result<Annotated, AnnotateError> {
    let read_err = |source: BoxedError| AnnotateError::Read {
        input: input.to_path_buf(),
        source,
    };
    let file = File::open(input).map_err(|e| read_err(e.into()))?;
    let zip = ZipArchive::new(BufReader::new(file)).map_err(|e| read_err(e.into()))?;
    let names: Vec<String> = (0..zip.len())
        .map(|i| match zip.name_for_index(i) {
            Some(Ok(n)) => Ok(n.into_owned()),
            Some(Err(e)) => Err(read_err(e.into())),
            None => Err(read_err(format!("no part {i}").into())),
        })
        .collect::<Result<_, _>>()?;
    let taken = names.iter().map(|n| n.to_lowercase()).collect();
    let mut pkg = Package { zip, names, taken };
    let plan = plan(&mut pkg, input, marks, options, macro_free).map_err(|m| read_err(m.into()))?;
    let Planned {
        mut outputs,
        sheets,
        styles_part,
        mut styles,
        mut annotated,
        sheet_names,
    } = plan;
    annotated.output = output.to_path_buf();

    let write_err = |source: BoxedError| AnnotateError::Write {
        output: annotated.output.clone(),
        source,
    };
    let options_deflate = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(false);
    let mut zout = ZipWriter::new(BufWriter::with_capacity(1 << 16, out));
    let mut cells_marked = 0;
    for i in 0..pkg.names.len() {
        let name = pkg.names[i].clone();
        // Part names compare without regard to case (OPC).
        if name.eq_ignore_ascii_case(&styles_part) {
            continue;
        }
        if let Some(bytes) = outputs.replaced.remove(&name.to_lowercase()) {
            zout.start_file(name.as_str(), options_deflate)
                .map_err(|e| write_err(e.into()))?;
            zout.write_all(&bytes).map_err(|e| write_err(e.into()))?;
            continue;
        }
        if let Some(plan) = sheets.iter().find(|s| s.part.eq_ignore_ascii_case(&name)) {
            zout.start_file(name.as_str(), options_deflate)
                .map_err(|e| write_err(e.into()))?;
            let src = pkg.zip.by_index(i).map_err(|e| read_err(e.into()))?;
            let mut sink = BufWriter::with_capacity(1 << 16, &mut zout);
            let marked = SheetEdit::new(plan, &mut styles)
                .run(BufReader::with_capacity(1 << 16, src), &mut sink)
                .map_err(|e| match e {
                    StreamError::Read(message) => AnnotateError::Sheet {
                        input: input.to_path_buf(),
                        sheet: sheet_names.get(plan.sheet).cloned().unwrap_or_default(),
                        source: message.into(),
                    },
                    StreamError::Write(message) => write_err(message.into()),
                })?;
            sink.flush().map_err(|e| write_err(e.into()))?;
            drop(sink);
            cells_marked += marked;
            continue;
        }
        let raw = pkg.zip.by_index_raw(i).map_err(|e| read_err(e.into()))?;
        zout.raw_copy_file(raw).map_err(|e| write_err(e.into()))?;
    }
    for (name, added) in outputs.added.drain(..) {
        zout.start_file(name.as_str(), options_deflate)
            .map_err(|e| write_err(e.into()))?;
        match added {
            Added::Bytes(bytes) => zout.write_all(&bytes),
            Added::Streamed(writes) => {
                let mut sink = BufWriter::with_capacity(1 << 16, &mut zout);
                writes(&mut sink).and_then(|()| sink.flush())
            }
        }
        .map_err(|e| write_err(e.into()))?;
    }
    zout.start_file(styles_part.as_str(), options_deflate)
        .map_err(|e| write_err(e.into()))?;
    zout.write_all(&styles.finish())
        .map_err(|e| write_err(e.into()))?;
    let mut buffered = zout.finish().map_err(|e| write_err(e.into()))?;
    buffered.flush().map_err(|e| write_err(e.into()))?;
    annotated.cells_marked = cells_marked;
    Ok(annotated)
}

/// Everything decided before the sheets are streamed.
struct Planned<'m> {
    outputs: Outputs<'m>,
    sheets: Vec<SheetPlan>,
    styles_part: String,
    styles: StyleBook,
    annotated: Annotated,
    sheet_names: Vec<String>,
}

#[allow(clippy::too_many_lines)]
fn plan<'m, R: Read + Seek>(
    pkg: &mut Package<R>,
    input: &Path,
    marks: &'m [Mark],
    options: &'m Options,
    macro_free: bool,
) -> Result<Planned<'m>, String> {
    let workbook = pkg
        .rels("")?
        .into_iter()
        .find(|r| r.typ.ends_with("/officeDocument"))
        .map(|r| resolve("", &r.target))
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let wb_bytes = pkg
        .read(&workbook)?
        .ok_or_else(|| format!("not a workbook: it has no part {workbook}"))?;
    let wb_els = xml::elements(&wb_bytes)?;
    let wb_dir = dir_of(&workbook).to_string();
    let wb_rels = pkg.rels(&workbook)?;
    let mut wb_rel_ids: Vec<String> = Vec::new();
    let mut wb_rels_added: Vec<(String, &str, String)> = Vec::new();

    // The worksheets, in workbook order.
    let mut infos: Vec<SheetInfo> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let mut all_names: Vec<String> = Vec::new();
    let mut max_sheet_id = 0u64;
    for e in wb_els
        .iter()
        .filter(|e| xml::local_name(&e.name) == b"sheet" && e.depth == 2)
    {
        let name = e.attr(b"name").unwrap_or_default();
        max_sheet_id =
            max_sheet_id.max(e.attr(b"sheetId").and_then(|s| s.parse().ok()).unwrap_or(0));
        all_names.push(name.clone());
        let rel = e
            .attr(b"id")
            .and_then(|id| wb_rels.iter().find(|r| r.id == id));
        let Some(rel) = rel.filter(|r| r.typ.ends_with("/worksheet")) else {
            continue;
        };
        parts.push(resolve(&wb_dir, &rel.target));
        infos.push(SheetInfo {
            name,
            hidden: e.attr(b"state").is_some_and(|s| s != "visible"),
            layout: Default::default(),
            merges: Vec::new(),
        });
    }
    let places: Vec<Place> = marks
        .iter()
        .map(|m| place::place(m, &infos, false))
        .collect();
    let mut by_sheet: BTreeMap<usize, BTreeMap<(u32, u16), Vec<&'m Mark>>> = BTreeMap::new();
    for (mark, p) in marks.iter().zip(&places) {
        if let Place::Cell { sheet, row, col } = *p {
            by_sheet
                .entry(sheet)
                .or_default()
                .entry((row, col))
                .or_default()
                .push(mark);
        }
    }

    // Styles: the existing part, or a new one.
    let mut outputs = Outputs::default();
    let mut content_types: Vec<(String, &str)> = Vec::new();
    let styles_rel = wb_rels.iter().find(|r| r.typ.ends_with("/styles"));
    let (styles_part, styles_bytes) = match styles_rel
        .map(|r| resolve(&wb_dir, &r.target))
        .and_then(|p| pkg.read(&p).transpose().map(|b| (p, b)))
    {
        Some((p, bytes)) => (p, bytes?),
        None => {
            let p = pkg.fresh(&format!("{wb_dir}/styles"), ".xml");
            let id = fresh_id(&wb_rels, &mut wb_rel_ids);
            wb_rels_added.push((
                id,
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles",
                relative(&wb_dir, &p),
            ));
            content_types.push((p.clone(), CT_STYLES));
            (p, styles::MINIMAL.as_bytes().to_vec())
        }
    };
    let mut styles = StyleBook::new(styles_bytes)?;
    let findings_styles = styles.findings();

    // Global VML shape ids, so new shapes never take an existing one's.
    let vml_parts: Vec<String> = pkg
        .names
        .iter()
        .filter(|n| n.to_lowercase().ends_with(".vml"))
        .cloned()
        .collect();
    let mut max_shape = 0u64;
    for v in &vml_parts {
        if let Some(bytes) = pkg.read(v)? {
            max_shape = max_shape.max(max_shape_id(&bytes));
        }
    }

    // New columns per sheet (0-based rows).
    let mut columns: BTreeMap<usize, BTreeMap<u32, RowTexts>> = BTreeMap::new();
    let titles = options
        .columns
        .as_ref()
        .map(|c| c.titles.clone())
        .unwrap_or_default();
    for ((name, row), texts) in options.columns.iter().flat_map(|c| &c.rows) {
        let found = infos.iter().position(|s| &s.name == name).or_else(|| {
            infos
                .iter()
                .position(|s| s.name.to_lowercase() == name.to_lowercase())
        });
        if let (Some(sheet), true) = (found, (1..=crate::mark::MAX_ROWS).contains(row)) {
            by_sheet.entry(sheet).or_default();
            columns
                .entry(sheet)
                .or_default()
                .insert(row - 1, texts.clone());
        }
    }

    // Each marked sheet: its notes.
    let mut sheets = Vec::new();
    let mut cells_marked = 0;
    for (sheet, cells) in by_sheet {
        let part = parts[sheet].clone();
        let dir = dir_of(&part).to_string();
        let rels = pkg.rels(&part)?;
        let mut rel_ids = Vec::new();
        let mut rels_added: Vec<(String, &str, String)> = Vec::new();
        cells_marked += cells.len();
        let marked_cells: Vec<((u32, u16), Severity)> = cells
            .iter()
            .map(|(k, m)| (*k, style::worst(m.iter().copied()).unwrap_or_default()))
            .collect();

        // Comments: the sheet's part with the notes appended, or a new one.
        let comments_rel = rels.iter().find(|r| r.typ.ends_with("/comments"));
        let mut with_comment: HashSet<(u32, u16)> = HashSet::new();
        // Each note's text is made when it is written, not held.
        let note_heights = |skip: &HashSet<(u32, u16)>| -> Vec<((u32, u16), u32)> {
            cells
                .iter()
                .filter(|(k, _)| !skip.contains(k))
                .map(|(k, m)| (*k, style::note_height(&style::note_text(m))))
                .collect()
        };
        let mut new_notes = Vec::new();
        match comments_rel {
            _ if cells.is_empty() => {}
            Some(r) => {
                let name = resolve(&dir, &r.target);
                let bytes = pkg
                    .read(&name)?
                    .ok_or_else(|| format!("the comments part {name} is missing"))?;
                let notes: BTreeMap<(u32, u16), String> = cells
                    .iter()
                    .map(|(k, m)| (*k, style::note_text(m)))
                    .collect();
                let patched = append_comments(&bytes, &notes, &mut with_comment)?;
                outputs.replaced.insert(name.to_lowercase(), patched);
                new_notes = note_heights(&with_comment);
            }
            None => {
                let name = pkg.fresh(&format!("{wb_dir}/comments"), ".xml");
                new_notes = note_heights(&with_comment);
                outputs.stream(
                    name.clone(),
                    Box::new(move |w: &mut dyn Write| write_new_comments(w, &cells)),
                );
                content_types.push((name.clone(), CT_COMMENTS));
                rels_added.push((
                    fresh_id(&rels, &mut rel_ids),
                    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments",
                    relative(&dir, &name),
                ));
            }
        }

        // Shapes of the new notes, in the sheet's VML drawing or a new one.
        let mut legacy = None;
        if !new_notes.is_empty() {
            let mut drawing = None;
            for r in rels.iter().filter(|r| r.typ.ends_with("/vmlDrawing")) {
                let name = resolve(&dir, &r.target);
                if let Some(bytes) = pkg.read(&name)? {
                    let notes_vml = contains(&bytes, b"ObjectType=\"Note\"");
                    let controls = contains(&bytes, b"ClientData");
                    if notes_vml || (comments_rel.is_none() && controls) {
                        drawing = Some((name, bytes));
                        break;
                    }
                }
            }
            match drawing {
                Some((name, bytes)) => {
                    let patched = append_shapes(&bytes, &new_notes, &mut max_shape)?;
                    outputs.replaced.insert(name.to_lowercase(), patched);
                }
                None => {
                    let name = pkg.fresh(&format!("{wb_dir}/drawings/vmlDrawing"), ".vml");
                    let (blocks, first) = vml_ids(new_notes.len(), &mut max_shape);
                    outputs.stream(
                        name.clone(),
                        Box::new(move |w: &mut dyn Write| {
                            write_new_vml(w, &blocks, first, &new_notes)
                        }),
                    );
                    let id = fresh_id(&rels, &mut rel_ids);
                    rels_added.push((
                        id.clone(),
                        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing",
                        relative(&dir, &name),
                    ));
                    content_types.push((String::new(), CT_VML));
                    legacy = Some(id);
                }
            }
        }
        if !rels_added.is_empty() {
            let rels_name = rels_path(&part);
            let existing = pkg.read(&rels_name)?;
            let bytes = with_relationships(existing.as_deref(), &rels_added)?;
            match existing {
                Some(_) => {
                    outputs.replaced.insert(rels_name.to_lowercase(), bytes);
                }
                None => outputs.add(rels_name, bytes),
            }
        }
        let columns = columns.remove(&sheet).unwrap_or_default();
        let title_row = columns
            .keys()
            .next()
            .and_then(|r| r.checked_sub(1))
            .filter(|_| !titles.is_empty());
        sheets.push(SheetPlan {
            sheet,
            part,
            cells: marked_cells,
            legacy,
            columns,
            titles: titles.clone(),
            title_row,
            bold: findings_styles.bold,
        });
    }

    // The Findings sheet, last (earlier sheets keep their positions, which
    // defined names and the active tab refer to).
    let findings_sheet = names::unique(names::FINDINGS, &all_names);
    let findings_part = pkg.fresh(&format!("{wb_dir}/worksheets/sheet"), ".xml");
    let input_name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| input.display().to_string());
    let sheet_names: Vec<String> = infos.iter().map(|s| s.name.clone()).collect();
    let listed_only = places.iter().filter(|p| **p == Place::Listed).count();
    {
        let (input_name, sheet_names) = (input_name.clone(), sheet_names.clone());
        outputs.stream(
            findings_part.clone(),
            Box::new(move |w: &mut dyn Write| {
                write_findings(
                    w,
                    options,
                    &input_name,
                    marks,
                    &places,
                    &sheet_names,
                    &findings_styles,
                )
            }),
        );
    }
    content_types.push((findings_part.clone(), CT_WORKSHEET));
    let findings_id = fresh_id(&wb_rels, &mut wb_rel_ids);
    wb_rels_added.push((
        findings_id.clone(),
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
        relative(&wb_dir, &findings_part),
    ));

    // The workbook: one more sheet.
    let sheets_el = wb_els
        .iter()
        .find(|e| xml::local_name(&e.name) == b"sheets" && e.depth == 1)
        .ok_or("the workbook lists no sheets")?;
    let p = sheets_el.prefix();
    let mut edits = Edits::default();
    xml::append_into(
        &mut edits,
        sheets_el,
        &format!(
            "<{p}sheet xmlns:r=\"{REL_NS}\" name=\"{}\" sheetId=\"{}\" r:id=\"{}\"/>",
            escape(&findings_sheet),
            max_sheet_id + 1,
            escape(&findings_id)
        ),
    );
    outputs
        .replaced
        .insert(workbook.to_lowercase(), edits.apply(&wb_bytes));
    let wb_rels_name = rels_path(&workbook);
    let existing = pkg.read(&wb_rels_name)?;
    let bytes = with_relationships(existing.as_deref(), &wb_rels_added)?;
    match existing {
        Some(_) => {
            outputs.replaced.insert(wb_rels_name.to_lowercase(), bytes);
        }
        None => outputs.add(wb_rels_name, bytes),
    }

    // Content types of the new parts.
    let ct_bytes = pkg
        .read("[Content_Types].xml")?
        .ok_or("not a workbook: it has no [Content_Types].xml")?;
    outputs.replaced.insert(
        "[content_types].xml".to_string(),
        content_types_with(&ct_bytes, &content_types, macro_free)?,
    );

    Ok(Planned {
        outputs,
        sheets,
        styles_part,
        styles,
        annotated: Annotated {
            output: Default::default(),
            findings_sheet,
            sheets: infos.len(),
            cells_marked,
            findings: marks.len(),
            listed_only,
            formulas: 0,
            truncated: 0,
        },
        sheet_names,
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The largest `_x0000_sNNNN` shape id of a VML drawing.
fn max_shape_id(vml: &[u8]) -> u64 {
    let pat = b"_x0000_s";
    let mut max = 0;
    let mut i = 0;
    while let Some(at) = vml[i..].windows(pat.len()).position(|w| w == pat) {
        let start = i + at + pat.len();
        let digits: String = vml[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        if let Ok(n) = digits.parse::<u64>() {
            max = max.max(n);
        }
        i = start;
    }
    max
}

/// `[Content_Types].xml` with the new parts' types.
fn content_types_with(
    bytes: &[u8],
    added: &[(String, &str)],
    macro_free: bool,
) -> Result<Vec<u8>, String> {
    let els = xml::elements(bytes)?;
    let root = els.first().ok_or("an empty [Content_Types].xml")?;
    let p = root.prefix();
    let mut edits = Edits::default();
    let mut items = String::new();
    let mut vml_done = els.iter().any(|e| {
        xml::local_name(&e.name) == b"Default"
            && e.attr(b"Extension")
                .is_some_and(|x| x.eq_ignore_ascii_case("vml"))
    });
    for (part, ct) in added {
        if part.is_empty() {
            if !vml_done {
                items.push_str(&format!(
                    "<{p}Default Extension=\"vml\" ContentType=\"{ct}\"/>"
                ));
                vml_done = true;
            }
        } else {
            items.push_str(&format!(
                "<{p}Override PartName=\"/{}\" ContentType=\"{ct}\"/>",
                escape(part)
            ));
        }
    }
    if macro_free {
        // An .xlsx may not say it holds macros: Excel refuses to open it.
        for e in &els {
            if e.attr(b"ContentType").as_deref() == Some(CT_MACRO_MAIN) {
                edits.replace(
                    e.start,
                    e.start_end,
                    xml::start_tag(
                        &e.name,
                        &e.attrs,
                        &[("ContentType", CT_MAIN.to_string())],
                        e.close.is_none(),
                    ),
                );
            }
        }
    }
    xml::append_into(&mut edits, root, &items);
    Ok(edits.apply(bytes))
}

/// A new comments part with a note per marked cell.
fn write_new_comments(
    w: &mut dyn Write,
    cells: &BTreeMap<(u32, u16), Vec<&Mark>>,
) -> std::io::Result<()> {
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<comments xmlns=\"{MAIN_NS}\"><authors><author>{}</author></authors><commentList>",
        escape(style::NOTE_AUTHOR)
    )?;
    for (&(row, col), marks) in cells {
        w.write_all(comment("", row, col, 0, &style::note_text(marks)).as_bytes())?;
    }
    w.write_all(b"</commentList></comments>")
}

/// One `<comment>` of `text`.
fn comment(p: &str, row: u32, col: u16, author: usize, text: &str) -> String {
    format!(
        "<{p}comment ref=\"{}\" authorId=\"{author}\"><{p}text>{}</{p}text></{p}comment>",
        cell_name(row, col),
        run(p, text)
    )
}

/// A run of note text (Excel's note font).
fn run(p: &str, text: &str) -> String {
    format!(
        "<{p}r><{p}rPr><{p}sz val=\"9\"/><{p}color indexed=\"81\"/><{p}rFont val=\"Tahoma\"/><{p}family val=\"2\"/></{p}rPr><{p}t xml:space=\"preserve\">{}</{p}t></{p}r>",
        escape(text)
    )
}

/// The sheet's comments part with the findings: appended to a cell's
/// existing comment, new comments for the other cells (`with_comment`
/// gets the cells that had one).
fn append_comments(
    bytes: &[u8],
    notes: &BTreeMap<(u32, u16), String>,
    with_comment: &mut HashSet<(u32, u16)>,
) -> Result<Vec<u8>, String> {
    let els = xml::elements(bytes)?;
    let mut edits = Edits::default();
    let root = els.first().ok_or("an empty comments part")?;
    let p = root.prefix();
    let authors_el = els
        .iter()
        .find(|e| xml::local_name(&e.name) == b"authors" && e.depth == 1);
    let authors: Vec<String> = els
        .iter()
        .filter(|e| xml::local_name(&e.name) == b"author")
        .map(|e| match e.close {
            Some(close) => xml::unescape(&bytes[e.start_end..close]),
            None => String::new(),
        })
        .collect();
    let author = match authors.iter().position(|a| a == style::NOTE_AUTHOR) {
        Some(i) => i,
        None => {
            let item = format!("<{p}author>{}</{p}author>", escape(style::NOTE_AUTHOR));
            match authors_el {
                Some(a) => xml::append_into(&mut edits, a, &item),
                None => edits.insert(root.start_end, format!("<{p}authors>{item}</{p}authors>")),
            }
            authors.len()
        }
    };
    for (i, e) in els.iter().enumerate() {
        if xml::local_name(&e.name) != b"comment" {
            continue;
        }
        let Some(at) = e.attr(b"ref").and_then(|r| xml::parse_ref(&r)) else {
            continue;
        };
        let Some(text) = notes.get(&at) else {
            continue;
        };
        let text_el = els[i + 1..]
            .iter()
            .take_while(|c| c.start < e.end)
            .find(|c| xml::local_name(&c.name) == b"text" && c.depth == e.depth + 1);
        if let Some(t) = text_el {
            if with_comment.insert(at) {
                xml::append_into(&mut edits, t, &run(&p, &format!("\n\n{text}")));
            }
        }
    }
    let list = els
        .iter()
        .find(|e| xml::local_name(&e.name) == b"commentList")
        .ok_or("the comments part has no comment list")?;
    let mut items = String::new();
    for (&(row, col), text) in notes {
        if !with_comment.contains(&(row, col)) {
            items.push_str(&comment(&p, row, col, author, text));
        }
    }
    xml::append_into(&mut edits, list, &items);
    Ok(edits.apply(bytes))
}

const SHAPE_TYPE: &str = "<v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>";

/// The VML shape of a hidden note box at a cell.
fn shape(id: u64, row: u32, col: u16, height: u32) -> String {
    let rows = (height / 20).clamp(3, 24);
    format!(
        "<v:shape id=\"_x0000_s{id}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:270pt;height:{}pt;z-index:{id};visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{}, 15, {}, 2, {}, 15, {}, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>",
        height * 3 / 4,
        u32::from(col) + 1,
        row.saturating_sub(1),
        u32::from(col) + 5,
        row.saturating_sub(1) + rows,
    )
}

fn shapes(cells: &[((u32, u16), u32)], max_shape: &mut u64) -> String {
    cells
        .iter()
        .map(|&((row, col), height)| {
            *max_shape += 1;
            shape(*max_shape, row, col, height)
        })
        .collect()
}

/// The id blocks of a new VML drawing of `shapes` shapes (its `idmap`)
/// and its first shape id, after every id taken so far (`max_shape`,
/// moved past the new ones).
fn vml_ids(shapes: usize, max_shape: &mut u64) -> (String, u64) {
    let first_block = *max_shape / SHAPES_PER_BLOCK + 1;
    let first = first_block * SHAPES_PER_BLOCK + 1;
    *max_shape = first_block * SHAPES_PER_BLOCK + shapes as u64;
    let last_block = (*max_shape / SHAPES_PER_BLOCK).max(first_block);
    let blocks: Vec<String> = (first_block..=last_block).map(|b| b.to_string()).collect();
    (blocks.join(","), first)
}

/// A new VML drawing with the note boxes of `cells` (cell, box height),
/// shape ids from `first`.
fn write_new_vml(
    w: &mut dyn Write,
    blocks: &str,
    first: u64,
    cells: &[((u32, u16), u32)],
) -> std::io::Result<()> {
    write!(
        w,
        "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"{blocks}\"/></o:shapelayout>{SHAPE_TYPE}"
    )?;
    for (i, &((row, col), height)) in cells.iter().enumerate() {
        w.write_all(shape(first + i as u64, row, col, height).as_bytes())?;
    }
    w.write_all(b"</xml>")
}

/// An existing VML drawing with the note boxes of `cells` appended (its
/// text is not parsed: Excel's VML is not always well-formed XML).
fn append_shapes(
    bytes: &[u8],
    cells: &[((u32, u16), u32)],
    max_shape: &mut u64,
) -> Result<Vec<u8>, String> {
    let end = bytes
        .windows(6)
        .rposition(|w| w.eq_ignore_ascii_case(b"</xml>"))
        .ok_or("the sheet's VML drawing has no </xml> end")?;
    let mut text = String::new();
    if !contains(bytes, b"_x0000_t202") {
        text.push_str(SHAPE_TYPE);
    }
    text.push_str(&shapes(cells, max_shape));
    let mut edits = Edits::default();
    edits.insert(end, text.into_bytes());
    Ok(edits.apply(bytes))
}

/// Why streaming a sheet stopped.
enum StreamError {
    Read(String),
    Write(String),
}

/// One marked sheet, streamed.
struct SheetEdit<'a> {
    cells: &'a [((u32, u16), Severity)],
    next: usize,
    styles: &'a mut StyleBook,
    legacy: Option<&'a str>,
    prefix: String,
    /// `<col min max style>` runs, 0-based inclusive.
    col_styles: Vec<(u16, u16, u32)>,
    marked: usize,
    plan: &'a SheetPlan,
    /// First column of the new columns, once known.
    base: Option<u16>,
    /// Rightmost column seen so far.
    max_seen: Option<u16>,
}

impl<'a> SheetEdit<'a> {
    fn new(plan: &'a SheetPlan, styles: &'a mut StyleBook) -> Self {
        Self {
            cells: &plan.cells,
            next: 0,
            styles,
            legacy: plan.legacy.as_deref(),
            prefix: String::new(),
            col_styles: Vec::new(),
            marked: 0,
            plan,
            base: None,
            max_seen: None,
        }
    }

    /// Whether `row` gets texts in the new columns.
    fn has_texts(&self, row: u32) -> bool {
        self.plan.title_row == Some(row) || self.plan.columns.contains_key(&row)
    }

    /// The new columns' cells of `row`, right of its last cell `last`.
    fn texts_of_row(&mut self, row: u32, last: Option<u16>) -> String {
        let plan = self.plan;
        let (texts, style) = if plan.title_row == Some(row) {
            (&plan.titles, Some(plan.bold))
        } else if let Some(t) = plan.columns.get(&row) {
            let style = t.severity.map(|sev| self.styles.marked(0, sev));
            (&t.texts, style)
        } else {
            return String::new();
        };
        let seen = self.max_seen.map_or(0, |c| c.saturating_add(1));
        let base = *self.base.get_or_insert(seen);
        let start = base.max(last.map_or(0, |c| c.saturating_add(1)));
        let p = &self.prefix;
        let mut out = String::new();
        for (i, text) in texts.iter().enumerate() {
            let Some(col) = u16::try_from(i)
                .ok()
                .and_then(|i| start.checked_add(i))
                .filter(|c| *c < crate::mark::MAX_COLUMNS)
            else {
                break;
            };
            if text.is_empty() {
                continue;
            }
            // Every title is bold; of a row's texts, the first is filled.
            let s = match style {
                Some(s) if i == 0 || plan.title_row == Some(row) => format!(" s=\"{s}\""),
                _ => String::new(),
            };
            out.push_str(&format!(
                "<{p}c r=\"{}\"{s} t=\"inlineStr\"><{p}is><{p}t xml:space=\"preserve\">{}</{p}t></{p}is></{p}c>",
                cell_name(row, col),
                escape(crate::findings::clip(text))
            ));
        }
        out
    }

    fn pending(&self) -> Option<((u32, u16), Severity)> {
        self.cells.get(self.next).copied()
    }

    /// The style an empty cell shows: its row's, else its column's, else 0.
    fn base_style(&self, col: u16, row_style: Option<u32>) -> u32 {
        row_style
            .or_else(|| {
                self.col_styles
                    .iter()
                    .find(|(a, b, _)| (*a..=*b).contains(&col))
                    .map(|(_, _, s)| *s)
            })
            .unwrap_or(0)
    }

    fn new_cell(
        &mut self,
        row: u32,
        col: u16,
        severity: Severity,
        row_style: Option<u32>,
    ) -> String {
        let s = self
            .styles
            .marked(self.base_style(col, row_style), severity);
        self.marked += 1;
        format!(
            "<{}c r=\"{}\" s=\"{s}\"/>",
            self.prefix,
            cell_name(row, col)
        )
    }

    /// The marked cells of `row` left of `before` (all of them with `None`).
    fn cells_of_row(&mut self, row: u32, before: Option<u16>, row_style: Option<u32>) -> String {
        let mut out = String::new();
        while let Some(((r, c), sev)) = self.pending() {
            if r != row || before.is_some_and(|b| c >= b) {
                break;
            }
            self.next += 1;
            out.push_str(&self.new_cell(r, c, sev, row_style));
        }
        out
    }

    /// New rows for the marked cells of rows before `before` (all with `None`).
    fn rows_before(&mut self, before: Option<u32>) -> String {
        let mut out = String::new();
        while let Some(((r, _), _)) = self.pending() {
            if before.is_some_and(|b| r >= b) {
                break;
            }
            let cells = self.cells_of_row(r, None, None);
            let p = &self.prefix;
            out.push_str(&format!("<{p}row r=\"{}\">{cells}</{p}row>", r + 1));
        }
        out
    }

    fn legacy_drawing(&mut self) -> String {
        match self.legacy.take() {
            Some(id) => format!(
                "<{}legacyDrawing xmlns:r=\"{REL_NS}\" r:id=\"{}\"/>",
                self.prefix,
                escape(id)
            ),
            None => String::new(),
        }
    }

    fn run<R: BufRead, W: Write>(mut self, src: R, out: W) -> Result<usize, StreamError> {
        let mut reader = Reader::from_reader(src);
        let mut writer = Writer::new(out);
        let mut buf = Vec::with_capacity(1024);
        let mut depth = 0usize;
        let mut in_data = false;
        let mut in_cols = false;
        let mut row: Option<(u32, Option<u32>)> = None;
        let mut last_row: Option<u32> = None;
        let mut last_col: Option<u16> = None;
        let wr = |e: std::io::Error| StreamError::Write(e.to_string());
        loop {
            buf.clear();
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|e| StreamError::Read(e.to_string()))?;
            let mut raw: Vec<u8> = Vec::new();
            let mut pass = true;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let local = e.local_name();
                    let local = local.as_ref().as_bytes();
                    if depth == 0 {
                        self.prefix = xml::prefix_of(e.name().as_ref().as_bytes());
                    } else if depth == 1 {
                        if local == b"legacyDrawing" {
                            // The sheet has one already: it cannot take a second.
                            self.legacy = None;
                        } else if AFTER_LEGACY_DRAWING.contains(&local) {
                            raw.extend(self.legacy_drawing().into_bytes());
                        }
                        if local == b"sheetData" {
                            if empty {
                                pass = false;
                                let p = self.prefix.clone();
                                raw.extend(attrs_tag(e, &[], false)?);
                                raw.extend(self.rows_before(None).into_bytes());
                                raw.extend(format!("</{p}sheetData>").into_bytes());
                            } else {
                                in_data = true;
                            }
                        }
                        if local == b"cols" {
                            in_cols = !empty;
                        }
                        if local == b"dimension" && !self.plan.columns.is_empty() {
                            // The new columns start after the last used one.
                            let range = attr_value(e, "ref").unwrap_or_default();
                            let (first, last) = range.split_once(':').unwrap_or((&range, &range));
                            if let (Some(a), Some(b)) =
                                (xml::parse_ref(first), xml::parse_ref(last))
                            {
                                let base = b.1.saturating_add(1);
                                self.base = Some(base);
                                let width = u16::try_from(
                                    self.plan.titles.len().max(
                                        self.plan
                                            .columns
                                            .values()
                                            .map(|t| t.texts.len())
                                            .max()
                                            .unwrap_or(0),
                                    ),
                                )
                                .unwrap_or(0);
                                let end =
                                    (base + width.max(1) - 1).min(crate::mark::MAX_COLUMNS - 1);
                                let bottom = self
                                    .plan
                                    .columns
                                    .keys()
                                    .chain(self.cells.last().map(|((r, _), _)| r))
                                    .copied()
                                    .max()
                                    .unwrap_or(0)
                                    .max(b.0);
                                pass = false;
                                raw.extend(attrs_tag(
                                    e,
                                    &[(
                                        "ref",
                                        format!(
                                            "{}:{}",
                                            cell_name(a.0, a.1),
                                            cell_name(bottom, end)
                                        ),
                                    )],
                                    empty,
                                )?);
                            }
                        }
                    } else if depth == 2 && in_cols && local == b"col" {
                        let num = |k: &str| -> Option<u32> {
                            let v = e.try_get_attribute(k).ok().flatten()?;
                            v.value.parse().ok()
                        };
                        if let (Some(min), Some(max), Some(s)) =
                            (num("min"), num("max"), num("style"))
                        {
                            if min >= 1 && max >= min {
                                let to16 = |n: u32| u16::try_from(n - 1).unwrap_or(u16::MAX);
                                self.col_styles.push((to16(min), to16(max), s));
                            }
                        }
                    } else if depth == 2 && in_data && local == b"row" {
                        let given = attr_value(e, "r").and_then(|v| v.parse::<u32>().ok());
                        let r = match given {
                            Some(r) if r >= 1 => r - 1,
                            _ => last_row.map_or(0, |l| l + 1),
                        };
                        raw.extend(self.rows_before(Some(r)).into_bytes());
                        let custom =
                            attr_value(e, "customFormat").is_some_and(|v| v == "1" || v == "true");
                        let row_style = attr_value(e, "s")
                            .and_then(|v| v.parse::<u32>().ok())
                            .filter(|_| custom);
                        last_row = Some(r);
                        last_col = None;
                        let has_marks =
                            self.pending().is_some_and(|((pr, _), _)| pr == r) || self.has_texts(r);
                        let set: Vec<(&str, String)> = match given {
                            Some(_) => Vec::new(),
                            None => vec![("r", (r + 1).to_string())],
                        };
                        if empty && has_marks {
                            pass = false;
                            let p = self.prefix.clone();
                            raw.extend(attrs_tag(e, &set, false)?);
                            raw.extend(self.cells_of_row(r, None, row_style).into_bytes());
                            let last = self
                                .cells
                                .get(self.next.saturating_sub(1))
                                .and_then(|((pr, pc), _)| (*pr == r).then_some(*pc));
                            raw.extend(self.texts_of_row(r, last).into_bytes());
                            raw.extend(format!("</{p}row>").into_bytes());
                        } else if !set.is_empty() {
                            pass = false;
                            raw.extend(attrs_tag(e, &set, empty)?);
                        }
                        if !empty {
                            row = Some((r, row_style));
                        }
                    } else if depth == 3 && in_data && local == b"c" {
                        if let Some((r, row_style)) = row {
                            let given = attr_value(e, "r");
                            let col = match given.as_deref().and_then(xml::parse_ref) {
                                Some((_, c)) => c,
                                None => last_col.map_or(0, |l| l.saturating_add(1)),
                            };
                            raw.extend(self.cells_of_row(r, Some(col), row_style).into_bytes());
                            last_col = Some(col);
                            self.max_seen = self.max_seen.max(Some(col));
                            let mut set: Vec<(&str, String)> = Vec::new();
                            if given.is_none() {
                                set.push(("r", cell_name(r, col)));
                            }
                            if let Some(((pr, pc), sev)) = self.pending() {
                                if (pr, pc) == (r, col) {
                                    self.next += 1;
                                    self.marked += 1;
                                    let own = attr_value(e, "s")
                                        .and_then(|v| v.parse::<u32>().ok())
                                        .unwrap_or(0);
                                    set.push(("s", self.styles.marked(own, sev).to_string()));
                                }
                            }
                            if !set.is_empty() {
                                pass = false;
                                raw.extend(attrs_tag(e, &set, empty)?);
                            }
                        }
                    }
                    if !empty {
                        depth += 1;
                    }
                }
                Event::End(e) => {
                    depth = depth.saturating_sub(1);
                    let local = e.local_name();
                    let local = local.as_ref().as_bytes();
                    if depth == 2 && in_data && local == b"row" {
                        if let Some((r, row_style)) = row.take() {
                            let before = self.next;
                            raw.extend(self.cells_of_row(r, None, row_style).into_bytes());
                            let added =
                                (self.next > before).then(|| self.cells[self.next - 1].0 .1);
                            let last = last_col.max(added);
                            self.max_seen = self.max_seen.max(last);
                            raw.extend(self.texts_of_row(r, last).into_bytes());
                        }
                    } else if depth == 1 && local == b"sheetData" {
                        raw.extend(self.rows_before(None).into_bytes());
                        in_data = false;
                    } else if depth == 1 && local == b"cols" {
                        in_cols = false;
                    } else if depth == 0 {
                        raw.extend(self.legacy_drawing().into_bytes());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            if !raw.is_empty() {
                writer.get_mut().write_all(&raw).map_err(wr)?;
            }
            if pass {
                writer.write_event(event).map_err(wr)?;
            }
        }
        Ok(self.marked)
    }
}

fn attr_value(e: &BytesStart<'_>, key: &str) -> Option<String> {
    let a = e.try_get_attribute(key).ok().flatten()?;
    Some(a.value.into_owned())
}

fn attrs_tag(
    e: &BytesStart<'_>,
    set: &[(&str, String)],
    empty: bool,
) -> Result<Vec<u8>, StreamError> {
    let attrs = xml::raw_attrs(e).map_err(StreamError::Read)?;
    Ok(xml::start_tag(
        e.name().as_ref().as_bytes(),
        &attrs,
        set,
        empty,
    ))
}

/// An inline-string cell.
fn text_cell(out: &mut String, row: u32, col: u16, style: Option<u32>, text: &str) {
    if text.is_empty() {
        return;
    }
    let s = style.map(|s| format!(" s=\"{s}\"")).unwrap_or_default();
    out.push_str(&format!(
        "<c r=\"{}\"{s} t=\"inlineStr\"><is><t{}>{}</t></is></c>",
        cell_name(row, col),
        preserve(text),
        escape(crate::findings::clip(text))
    ));
}

/// `xml:space="preserve"` where the text's spaces would otherwise be lost.
fn preserve(text: &str) -> &'static str {
    let edge = |c: Option<char>| c.is_some_and(char::is_whitespace);
    if edge(text.chars().next()) || edge(text.chars().last()) || text.contains("  ") {
        " xml:space=\"preserve\""
    } else {
        ""
    }
}

/// Findings, errors first, grouped by code, each group in the order given.
fn ordered(marks: &[Mark]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..marks.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&marks[a], &marks[b]);
        (a.severity, &a.code).cmp(&(b.severity, &b.code))
    });
    order
}

/// Writes the Findings sheet's XML, a row at a time.
fn write_findings(
    w: &mut dyn Write,
    options: &Options,
    input_name: &str,
    marks: &[Mark],
    places: &[Place],
    sheet_names: &[String],
    st: &FindingsStyles,
) -> std::io::Result<()> {
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| format!("avails findings: {input_name}"));
    let summary = crate::findings::summary_line(&title, marks);
    let legend = if marks.is_empty() && options.columns.is_some() {
        "Nothing is marked in this copy: every check passed. The other sheets are the input, with the new columns at the right of the rows."
    } else if marks.is_empty() {
        "Nothing is marked in this copy: every check passed. The other sheets are the input, unchanged."
    } else {
        "Each finding is marked at its cell in the other sheets (red: error, amber: warning; \
         the cell's note says what is wrong and what is allowed). Errors come first, grouped by code. \
         Click a Cell to go there; sort or filter with the buttons of the titles below."
    };
    let mut notes = options.notes.clone();
    if marks.len() > MAX_LINKS {
        notes.push(format!(
            "Excel keeps at most {MAX_LINKS} links per sheet: findings after the first {MAX_LINKS} name their cell without a link."
        ));
    }
    let last = HEADER_ROW + marks.len() as u32;
    let cols: String = WIDTHS
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                "<col min=\"{n}\" max=\"{n}\" width=\"{w}\" customWidth=\"1\"/>",
                n = i + 1
            )
        })
        .collect();
    let last_col = crate::mark::column_letters(COLUMNS.len() as u16 - 1);
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>\
<dimension ref=\"A1:{last_col}{}\"/><sheetViews><sheetView workbookViewId=\"0\">\
<pane ySplit=\"{}\" topLeftCell=\"A{}\" activePane=\"bottomLeft\" state=\"frozen\"/>\
<selection pane=\"bottomLeft\" activeCell=\"A{}\" sqref=\"A{}\"/></sheetView></sheetViews>\
<sheetFormatPr defaultRowHeight=\"15\"/><cols>{cols}</cols><sheetData>",
        last + 1,
        HEADER_ROW + 1,
        HEADER_ROW + 2,
        HEADER_ROW + 2,
        HEADER_ROW + 2,
    )?;
    // Up to MAX_LINKS links, written after the rows.
    let mut links = String::new();
    let row_xml = |w: &mut dyn Write, r: u32, height: Option<f64>, cells: &str| {
        let ht = height
            .map(|h| format!(" ht=\"{h}\" customHeight=\"1\""))
            .unwrap_or_default();
        write!(w, "<row r=\"{}\"{ht}>{cells}</row>", r + 1)
    };
    let data = &mut *w;
    let mut cells = String::new();
    text_cell(&mut cells, 0, 0, Some(st.title), &summary);
    row_xml(data, 0, None, &cells)?;
    cells.clear();
    text_cell(&mut cells, 1, 0, None, legend);
    row_xml(data, 1, None, &cells)?;
    cells.clear();
    text_cell(&mut cells, 2, 0, None, &notes.join(" "));
    row_xml(data, 2, None, &cells)?;
    cells.clear();
    for (c, name) in COLUMNS.iter().enumerate() {
        text_cell(&mut cells, HEADER_ROW, c as u16, Some(st.bold), name);
    }
    row_xml(data, HEADER_ROW, None, &cells)?;
    let mut linked = 0usize;
    for (i, &m) in ordered(marks).iter().enumerate() {
        let (mark, place) = (&marks[m], places[m]);
        let r = HEADER_ROW + 1 + i as u32;
        cells.clear();
        let fill = match mark.severity {
            Severity::Error => st.error,
            Severity::Warning => st.warning,
        };
        text_cell(&mut cells, r, 0, Some(fill), mark.severity.as_str());
        text_cell(&mut cells, r, 1, None, &mark.code);
        text_cell(&mut cells, r, 2, None, mark.origin.as_str());
        text_cell(&mut cells, r, 3, Some(st.wrap), &mark.message);
        let mut link = |cells: &mut String, col: u16, target: String, text: &str| {
            if linked < MAX_LINKS {
                linked += 1;
                text_cell(cells, r, col, Some(st.link), text);
                links.push_str(&format!(
                    "<hyperlink ref=\"{}\" location=\"{}\" display=\"{}\"/>",
                    cell_name(r, col),
                    escape(&target),
                    escape(text)
                ));
            } else {
                text_cell(cells, r, col, None, text);
            }
        };
        match place {
            Place::Cell { sheet, row, col } => {
                let name = &sheet_names[sheet];
                text_cell(&mut cells, r, 4, None, name);
                link(
                    &mut cells,
                    5,
                    names::cell_ref(name, row, col),
                    &cell_name(row, col),
                );
            }
            Place::Sheet { sheet } => {
                let name = &sheet_names[sheet];
                link(&mut cells, 4, names::cell_ref(name, 0, 0), name);
            }
            Place::Listed => {
                text_cell(&mut cells, r, 4, None, mark.sheet.as_deref().unwrap_or(""));
                let at = match (&mark.sheet, &mark.column, mark.row) {
                    (_, Some(c), Some(row)) => format!("{c}{row}"),
                    (Some(_), None, Some(row)) => format!("row {row}"),
                    (None, None, Some(row)) => format!("line {row}"),
                    _ => String::new(),
                };
                text_cell(&mut cells, r, 5, None, &at);
            }
        }
        text_cell(&mut cells, r, 6, None, mark.alid.as_deref().unwrap_or(""));
        text_cell(
            &mut cells,
            r,
            7,
            None,
            mark.transaction_id.as_deref().unwrap_or(""),
        );
        text_cell(
            &mut cells,
            r,
            8,
            None,
            mark.other_file.as_deref().unwrap_or(input_name),
        );
        let lines = mark.message.chars().count().div_ceil(MESSAGE_LINE_CHARS);
        let height = (lines > 1).then(|| LINE_HEIGHT * lines.min(MAX_LINES) as f64);
        row_xml(data, r, height, &cells)?;
    }
    let hyperlinks = if links.is_empty() {
        String::new()
    } else {
        format!("<hyperlinks>{links}</hyperlinks>")
    };
    write!(
        w,
        "</sheetData><autoFilter ref=\"A{}:{last_col}{}\"/>{hyperlinks}\
<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
<pageSetup orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/></worksheet>",
        HEADER_ROW + 1,
        last + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_relative_to_a_folder() {
        assert_eq!(
            relative("xl/worksheets", "xl/comments1.xml"),
            "../comments1.xml"
        );
        assert_eq!(
            relative("xl/worksheets", "xl/drawings/vmlDrawing1.vml"),
            "../drawings/vmlDrawing1.vml"
        );
        assert_eq!(
            relative("xl", "xl/worksheets/sheet4.xml"),
            "worksheets/sheet4.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(
            rels_path("xl/worksheets/sheet1.xml"),
            "xl/worksheets/_rels/sheet1.xml.rels"
        );
    }

    #[test]
    fn shape_ids_continue_after_the_largest() {
        assert_eq!(
            max_shape_id(b"<v:shape id=\"_x0000_s1025\"/><v:shape id=\"_x0000_s1031\"/>"),
            1031
        );
        let mut max = 1031;
        let (blocks, first) = vml_ids(1, &mut max);
        let mut vml = Vec::new();
        write_new_vml(&mut vml, &blocks, first, &[((3, 2), 80)]).unwrap();
        let vml = String::from_utf8(vml).unwrap();
        assert!(vml.contains("data=\"2\""), "{vml}");
        assert!(vml.contains("_x0000_s2049"), "{vml}");
        assert_eq!(max, 2049);
        // 1,500 shapes take two blocks.
        let (blocks, first) = vml_ids(1500, &mut max);
        assert_eq!((blocks.as_str(), first), ("3,4", 3073));
        assert_eq!(max, 3072 + 1500);
    }

    fn stream(
        sheet: &str,
        cells: &[((u32, u16), Severity)],
        legacy: Option<&str>,
    ) -> (String, usize) {
        let mut book = StyleBook::new(styles::MINIMAL.as_bytes().to_vec()).unwrap();
        let plan = SheetPlan {
            sheet: 0,
            part: String::new(),
            cells: cells.to_vec(),
            legacy: legacy.map(str::to_string),
            columns: BTreeMap::new(),
            titles: Vec::new(),
            title_row: None,
            bold: 0,
        };
        let mut out = Vec::new();
        let n = match SheetEdit::new(&plan, &mut book).run(sheet.as_bytes(), &mut out) {
            Ok(n) => n,
            Err(_) => panic!("stream failed"),
        };
        (String::from_utf8(out).unwrap(), n)
    }

    #[test]
    fn marked_cells_get_styles_and_missing_cells_and_rows_are_added() {
        let sheet = r#"<?xml version="1.0"?><worksheet xmlns="m"><cols><col min="3" max="3" style="1"/></cols><sheetData><row r="2"><c r="A2" s="1" t="s"><v>0</v></c><c r="D2"><f>1+1</f><v>2</v></c></row><row r="5" spans="1:2"/></sheetData><pageMargins/></worksheet>"#;
        // MINIMAL has xf 0 only: a style it lacks is copied from xf 0; each
        // (own style, severity) gets one copy, numbered as first met.
        let cells = [
            ((0, 0), Severity::Error),
            ((1, 0), Severity::Error),
            ((1, 2), Severity::Warning),
            ((1, 3), Severity::Error),
            ((4, 1), Severity::Error),
            ((9, 0), Severity::Warning),
        ];
        let (out, n) = stream(sheet, &cells, Some("rId7"));
        assert_eq!(n, 6);
        let want = concat!(
            r#"<?xml version="1.0"?><worksheet xmlns="m"><cols><col min="3" max="3" style="1"/></cols><sheetData>"#,
            r#"<row r="1"><c r="A1" s="1"/></row>"#,
            r#"<row r="2"><c r="A2" s="2" t="s"><v>0</v></c><c r="C2" s="3"/><c r="D2" s="1"><f>1+1</f><v>2</v></c></row>"#,
            r#"<row r="5" spans="1:2"><c r="B5" s="1"/></row>"#,
            r#"<row r="10"><c r="A10" s="4"/></row></sheetData>"#,
            r#"<pageMargins/><legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId7"/></worksheet>"#
        );
        assert_eq!(out, want);
    }

    #[test]
    fn new_columns_go_right_of_the_used_range_with_titles_above() {
        let mut book = StyleBook::new(styles::MINIMAL.as_bytes().to_vec()).unwrap();
        let plan = SheetPlan {
            sheet: 0,
            part: String::new(),
            cells: vec![((2, 1), Severity::Error)],
            legacy: None,
            columns: BTreeMap::from([
                (
                    1,
                    RowTexts {
                        texts: vec!["sent".into(), "tx-1".into()],
                        severity: None,
                    },
                ),
                (
                    2,
                    RowTexts {
                        texts: vec!["refused: <bad>".into(), String::new()],
                        severity: Some(Severity::Error),
                    },
                ),
            ]),
            titles: vec!["Status".into(), "TransactionID".into()],
            title_row: Some(0),
            bold: 0,
        };
        let sheet = r#"<worksheet><dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1"/></row><row r="2"><c r="A2"/><c r="C2"/></row><row r="3"><c r="A3"/></row></sheetData></worksheet>"#;
        let mut out = Vec::new();
        let Ok(n) = SheetEdit::new(&plan, &mut book).run(sheet.as_bytes(), &mut out) else {
            panic!("stream failed")
        };
        assert_eq!(n, 1);
        let cell = |r: &str, s: &str, t: &str| {
            format!(r#"<c r="{r}"{s} t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>"#)
        };
        let want = format!(
            r#"<worksheet><dimension ref="A1:E3"/><sheetData><row r="1"><c r="A1"/>{}{}</row><row r="2"><c r="A2"/><c r="C2"/>{}{}</row><row r="3"><c r="A3"/><c r="B3" s="1"/>{}</row></sheetData></worksheet>"#,
            cell("D1", " s=\"0\"", "Status"),
            cell("E1", " s=\"0\"", "TransactionID"),
            cell("D2", "", "sent"),
            cell("E2", "", "tx-1"),
            cell("D3", " s=\"1\"", "refused: &lt;bad&gt;"),
        );
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn a_sheet_with_a_legacy_drawing_keeps_its_own() {
        let sheet = r#"<x:worksheet xmlns:x="m"><x:sheetData/><x:legacyDrawing r:id="rId1"/></x:worksheet>"#;
        let (out, _) = stream(sheet, &[((0, 1), Severity::Error)], Some("rId9"));
        assert_eq!(
            out,
            r#"<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"><x:c r="B1" s="1"/></x:row></x:sheetData><x:legacyDrawing r:id="rId1"/></x:worksheet>"#
        );
    }

    #[test]
    fn existing_comments_keep_their_text_and_get_the_finding() {
        let part = br#"<comments xmlns="m"><authors><author>Ana</author></authors><commentList><comment ref="B2" authorId="0"><text><t>check with legal</t></text></comment></commentList></comments>"#;
        let notes: BTreeMap<(u32, u16), String> = [
            ((1, 1), "ERROR AV040\nbad".to_string()),
            ((2, 0), "WARNING X".to_string()),
        ]
        .into();
        let mut had = HashSet::new();
        let out = String::from_utf8(append_comments(part, &notes, &mut had).unwrap()).unwrap();
        assert_eq!(had, HashSet::from([(1, 1)]));
        assert!(
            out.contains("<author>Ana</author><author>avails</author>"),
            "{out}"
        );
        assert!(out.contains("<t>check with legal</t><r>"), "{out}");
        assert!(
            out.contains(
                "\n\nERROR AV040\nbad</t></r></text></comment><comment ref=\"A3\" authorId=\"1\">"
            ),
            "{out}"
        );
    }
}
