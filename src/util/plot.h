/*
 * plot: SVG charts drawn by gnuplot (a Debian package, run as a child
 * process with a deadline). Callers write their data files and a gnuplot
 * script body; this module adds the terminal and output settings.
 */
#ifndef KP_PLOT_H
#define KP_PLOT_H

#include "util/err.h"

/* Renders script (gnuplot commands, data paths absolute or relative to
 * cwd) into an SVG file of width x height pixels. */
int kp_plot_svg(const char *script, const char *svg_path, int width, int height, kp_err_t *err);

#endif
