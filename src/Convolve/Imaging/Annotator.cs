using SkiaSharp;

namespace Convolve.Imaging;

/// <summary>An 8-bit RGB colour for annotations.</summary>
public readonly record struct RgbColor(byte R, byte G, byte B)
{
    /// <summary>Pure red.</summary>
    public static RgbColor Red => new(230, 25, 25);
    /// <summary>Green.</summary>
    public static RgbColor Green => new(30, 200, 60);
    /// <summary>Blue.</summary>
    public static RgbColor Blue => new(40, 90, 230);
    /// <summary>Yellow.</summary>
    public static RgbColor Yellow => new(250, 210, 0);
    /// <summary>White.</summary>
    public static RgbColor White => new(255, 255, 255);
    /// <summary>Black.</summary>
    public static RgbColor Black => new(0, 0, 0);

    internal SKColor ToSkia() => new(R, G, B);

    /// <summary>Black or white, whichever reads better on this colour (by Rec. 601 luma).</summary>
    internal RgbColor Contrasting => 0.299 * R + 0.587 * G + 0.114 * B > 140 ? Black : White;
}

/// <summary>Which font <see cref="Annotator"/> draws labels with.</summary>
public enum AnnotationFont
{
    /// <summary>A system font when Skia finds one that has the label's characters, else the built-in pixel font.</summary>
    Auto,
    /// <summary>Always the built-in 5×7 pixel font (identical output on every machine).</summary>
    BuiltIn,
}

/// <summary>
/// Draws boxes, points and text labels onto a copy of an image (for <c>--annotate</c> outputs). The source image is
/// never changed. Calls chain: <c>using var a = new Annotator(img); a.Rectangle(...).Label(...); var result = a.ToImage();</c>
/// </summary>
public sealed class Annotator : IDisposable
{
    private const int LabelPadding = 2;
    private readonly SKBitmap _bitmap;
    private readonly SKCanvas _canvas;
    private readonly AnnotationFont _font;
    private readonly string? _source;

    /// <summary>Starts annotating a copy of <paramref name="image"/>.</summary>
    public Annotator(RgbImage image, AnnotationFont font = AnnotationFont.Auto)
    {
        _bitmap = SkiaPixels.ToBitmap(image);
        _canvas = new SKCanvas(_bitmap);
        _font = font;
        _source = image.Source;
    }

    /// <summary>The outline of a rectangle with top-left (<paramref name="x"/>, <paramref name="y"/>), drawn inside its bounds.</summary>
    public Annotator Rectangle(float x, float y, float width, float height, RgbColor color, float thickness = 2)
    {
        using var paint = new SKPaint { Color = color.ToSkia(), Style = SKPaintStyle.Stroke, StrokeWidth = thickness, IsAntialias = false };
        float half = thickness / 2;
        _canvas.DrawRect(x + half, y + half, Math.Max(0, width - thickness), Math.Max(0, height - thickness), paint);
        return this;
    }

    /// <summary>A filled dot of <paramref name="radius"/> pixels centred on (<paramref name="x"/>, <paramref name="y"/>), e.g. a landmark.</summary>
    public Annotator Point(float x, float y, RgbColor color, float radius = 2)
    {
        using var paint = new SKPaint { Color = color.ToSkia(), Style = SKPaintStyle.Fill, IsAntialias = true };
        _canvas.DrawCircle(x, y, radius, paint);
        return this;
    }

    /// <summary>
    /// <paramref name="text"/> on a filled box of <paramref name="background"/> whose top-left is at
    /// (<paramref name="x"/>, <paramref name="y"/>); the text is black or white, whichever contrasts.
    /// <paramref name="size"/> is the text height in pixels.
    /// </summary>
    public Annotator Label(string text, float x, float y, RgbColor background, float size = 14)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ink = background.Contrasting;
        var typeface = _font == AnnotationFont.Auto ? SystemTypefaceFor(text) : null;
        if (typeface is not null) DrawSystemText(typeface, text, x, y, background, ink, size);
        else DrawPixelText(text, x, y, background, ink, size);
        return this;
    }

    /// <summary>The annotated image.</summary>
    public RgbImage ToImage() => SkiaPixels.FromBitmap(_bitmap, _source);

    /// <inheritdoc />
    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }

    /// <summary>Skia's default typeface when it has a glyph for every character of <paramref name="text"/>; null on machines without fonts.</summary>
    internal static SKTypeface? SystemTypefaceFor(string text)
    {
        var typeface = PreferredTypeface.Value;
        if (typeface is null || typeface.GlyphCount == 0) return null;
        var glyphs = typeface.GetGlyphs(text.Replace(" ", ""));
        return glyphs.Length > 0 && glyphs.All(g => g != 0) ? typeface : null;
    }

    // A sans-serif face reads better at label sizes than Skia's default (often a serif); any installed font will do.
    private static readonly Lazy<SKTypeface?> PreferredTypeface = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }
            .Select(name => SKFontManager.Default.MatchFamily(name))
            .FirstOrDefault(t => t is not null && t.GlyphCount > 0)
        ?? SKTypeface.Default);

    private void DrawSystemText(SKTypeface typeface, string text, float x, float y, RgbColor background, RgbColor ink, float size)
    {
        using var font = new SKFont(typeface, size) { Edging = SKFontEdging.Antialias };
        float width = font.MeasureText(text);
        var metrics = font.Metrics;
        float height = metrics.Descent - metrics.Ascent;
        using var fill = new SKPaint { Color = background.ToSkia(), Style = SKPaintStyle.Fill };
        _canvas.DrawRect(x, y, width + 2 * LabelPadding, height + 2 * LabelPadding, fill);
        using var paint = new SKPaint { Color = ink.ToSkia(), IsAntialias = true };
        _canvas.DrawText(text, x + LabelPadding, y + LabelPadding - metrics.Ascent, SKTextAlign.Left, font, paint);
    }

    private void DrawPixelText(string text, float x, float y, RgbColor background, RgbColor ink, float size)
    {
        int scale = PixelScale(size);
        using var fill = new SKPaint { Color = background.ToSkia(), Style = SKPaintStyle.Fill };
        _canvas.DrawRect(x, y, BitmapFont.MeasureCells(text) * scale + 2 * LabelPadding,
            BitmapFont.GlyphHeight * scale + 2 * LabelPadding, fill);
        using var paint = new SKPaint { Color = ink.ToSkia(), Style = SKPaintStyle.Fill, IsAntialias = false };
        float left = MathF.Round(x) + LabelPadding, top = MathF.Round(y) + LabelPadding;
        BitmapFont.ForEachInkCell(text, (col, row) =>
            _canvas.DrawRect(left + col * scale, top + row * scale, scale, scale, paint));
    }

    /// <summary>Pixels per font cell for a text height of <paramref name="size"/> pixels (7 cells tall, at least 1).</summary>
    internal static int PixelScale(float size) => Math.Max(1, (int)MathF.Round(size / BitmapFont.GlyphHeight));
}
