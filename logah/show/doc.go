// Package show displays LoGAH objects in notebooks: computational graphs, parameter tables
// with statistics and histograms, singular-value spectra of weights side by side, training
// curves updated in place, progress lines and results tables.
//
// Everything is self-contained HTML and SVG (no JavaScript, no CDN), so it renders in an
// offline browser and survives `jupyter nbconvert --to html`.
//
// # The notebook kit
//
// Besides single displays, the package holds the steps notebooks share, so that a notebook is
// values plus one call per step (non-display helpers, such as the smoke switch and run
// directories, are in the root package logah): [TrainGHN] trains a hypernetwork with live
// curves, [Compare] runs a comparison of initialisations with a progress line, [RunCurves],
// [SummaryTable] and [ArchSummaryTable] show its runs, [GHNTrainingsTable] finished trainings;
// [MachineTable], [RecordMemory], [PeakMemory], [MemoryPlot] and [Measurements] report
// measurements; [Panels], [CommandLine], [HistogramBars], [CDF] and [Adjacency] are generic
// plotting pieces.
//
// # Where output goes
//
// In a GoNB kernel (the "Go (LoGAH)" kernel sets $GONB_PIPE for every cell) each helper
// sends HTML to the notebook through gonbui; live helpers ([Progress], [Curves]) update one
// display in place (a display id) instead of adding an output per step, and [Curves.Done]
// leaves a final static copy.
//
// In a plain Go program (tests, the command line) the same calls print a text rendition to
// standard output and, when $LOGAH_SHOW_DIR names a directory, also write each display there
// as a standalone HTML page (and SVG file, for plots and graphs). [SetDisplayer] replaces the
// destination, for example with a [Recorder] in tests.
//
// # Cells are processes
//
// GoNB runs each cell as a new program: a [Curves] or [Progress] lives for one cell. Train
// and plot in the same cell, or save metrics to a file and plot them in a later one.
package show
