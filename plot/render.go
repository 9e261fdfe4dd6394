package plot

import (
	"bytes"
	"fmt"
	"icl/atomicfile"
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// size returns the figure's size with defaults applied.
func (f *Figure) size() (w, h vg.Length) {
	w, h = f.Width, f.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// Render returns the figure as "svg" or "png" bytes, f.Width wide (default
// when zero) and as high as its layout needs: f.Height (default when zero)
// plus a zoom panel and a legend below the plot, if any (see Figure). Equal
// figures give equal bytes.
func (f *Figure) Render(format string) ([]byte, error) {
	if f.Heatmap != nil {
		return f.Heatmap.Render(format)
	}
	w, h := f.size()
	return f.render(format, w, h)
}

// Size returns the size of the rendered figure: its width, and its height
// with a zoom panel and a legend below the plot included.
func (f *Figure) Size() (w, h vg.Length, err error) {
	if f.Heatmap != nil {
		return f.Heatmap.Size()
	}
	w, h = f.size()
	b, err := f.build()
	if err != nil {
		return 0, 0, err
	}
	l := f.layout(b, w, h)
	return l.w, l.h, nil
}

func (f *Figure) render(format string, w, h vg.Length) ([]byte, error) {
	if format != "svg" && format != "png" {
		return nil, fmt.Errorf("plot: format %q not supported (allowed: \"svg\", \"png\")", format)
	}
	b, err := f.build()
	if err != nil {
		return nil, err
	}
	l := f.layout(b, w, h)
	var buf bytes.Buffer
	switch format {
	case "svg":
		c := vgsvg.New(l.w, l.h)
		drawFigure(draw.New(c), b, l, f.YLabel)
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("plot: writing svg: %w", err)
		}
		return fixSVGFonts(buf.Bytes()), nil
	default:
		dpi := f.DPI
		if dpi == 0 {
			dpi = DefaultDPI
		}
		c := vgimg.NewWith(vgimg.UseWH(l.w, l.h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
		drawFigure(draw.New(c), b, l, f.YLabel)
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("plot: writing png: %w", err)
		}
		return buf.Bytes(), nil
	}
}

// fixSVGFonts adds fallbacks to the font family: text is laid out with
// Liberation Sans metrics, which Arial and Helvetica share, and the fonts
// are not embedded (that would add ~0.5 MB per figure).
func fixSVGFonts(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

// Save writes pathWithoutExt+".svg" and pathWithoutExt+".png" for a plot
// w × h (zero: the figure's size or the default; the height grows as Render
// says). Each file is written to a
// temporary file and renamed, so readers never see a partial figure.
func (f *Figure) Save(pathWithoutExt string, w, h vg.Length) error {
	if f.Heatmap != nil {
		return f.Heatmap.Save(pathWithoutExt)
	}
	fw, fh := f.size()
	if w <= 0 {
		w = fw
	}
	if h <= 0 {
		h = fh
	}
	for _, format := range []string{"svg", "png"} {
		b, err := f.render(format, w, h)
		if err != nil {
			return err
		}
		if err := writeAtomic(pathWithoutExt+"."+format, b); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, b []byte) error {
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return nil
}
