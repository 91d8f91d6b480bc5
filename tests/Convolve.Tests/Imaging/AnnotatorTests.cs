using Convolve.Imaging;

namespace Convolve.Tests.Imaging;

public class AnnotatorTests
{
    private static RgbImage Gray(int w, int h, byte v = 128) => new(w, h, Enumerable.Repeat(v, w * h * 3).ToArray());

    private static (byte, byte, byte) Px(RgbImage img, int x, int y)
    {
        int i = (y * img.Width + x) * 3;
        return (img.Pixels[i], img.Pixels[i + 1], img.Pixels[i + 2]);
    }

    [Fact]
    public void RectangleDrawsItsOutlineOnACopy()
    {
        var source = Gray(40, 30);
        using var a = new Annotator(source);
        var img = a.Rectangle(10, 5, 20, 15, new RgbColor(255, 0, 0), thickness: 2).ToImage();
        // Border pixels (inside the 10..29 × 5..19 box) are red; the inside and outside are untouched.
        Assert.Equal((255, 0, 0), Px(img, 10, 12));
        Assert.Equal((255, 0, 0), Px(img, 11, 12));
        Assert.Equal((255, 0, 0), Px(img, 29, 12));
        Assert.Equal((255, 0, 0), Px(img, 20, 5));
        Assert.Equal((255, 0, 0), Px(img, 20, 19));
        Assert.Equal((128, 128, 128), Px(img, 20, 12));
        Assert.Equal((128, 128, 128), Px(img, 9, 12));
        Assert.Equal((128, 128, 128), Px(img, 30, 12));
        Assert.All(source.Pixels, p => Assert.Equal(128, p)); // the source image is not changed
    }

    [Fact]
    public void PointFillsAroundItsCentre()
    {
        using var a = new Annotator(Gray(20, 20));
        var img = a.Point(10, 10, new RgbColor(0, 255, 0), radius: 3).ToImage();
        Assert.Equal((0, 255, 0), Px(img, 10, 10));
        Assert.Equal((0, 255, 0), Px(img, 9, 9));
        Assert.Equal((128, 128, 128), Px(img, 2, 2));
    }

    [Fact]
    public void BuiltInFontDrawsTheGlyphCells()
    {
        // Size 14 gives 2×2-pixel cells. 'L' has 7 + 4 = 11 ink cells, so 44 black pixels on its white box of
        // (5·2 + 2·2) × (7·2 + 2·2) = 14 × 18 pixels; nothing else on the gray image changes.
        using var a = new Annotator(Gray(30, 30), AnnotationFont.BuiltIn);
        var img = a.Label("L", 3, 4, RgbColor.White, size: 14).ToImage();
        int black = 0, white = 0, gray = 0;
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 30; x++)
            {
                var p = Px(img, x, y);
                if (p == (0, 0, 0)) black++;
                else if (p == (255, 255, 255)) white++;
                else if (p == (128, 128, 128)) gray++;
            }
        Assert.Equal(44, black);
        Assert.Equal(14 * 18 - 44, white);
        Assert.Equal(30 * 30 - 14 * 18, gray);
        // The stem of the L is the glyph's left column: box origin (3,4) + padding 2 = (5,6).
        Assert.Equal((0, 0, 0), Px(img, 5, 6));
        Assert.Equal((0, 0, 0), Px(img, 6, 6 + 13));
        Assert.Equal((255, 255, 255), Px(img, 7, 6)); // the L has no top bar
    }

    [Fact]
    public void BuiltInFontTellsCharactersApart()
    {
        using var one = new Annotator(Gray(60, 20), AnnotationFont.BuiltIn);
        using var eight = new Annotator(Gray(60, 20), AnnotationFont.BuiltIn);
        var a = one.Label("0.91", 0, 0, RgbColor.Yellow).ToImage();
        var b = eight.Label("0.81", 0, 0, RgbColor.Yellow).ToImage();
        Assert.NotEqual(a.Pixels, b.Pixels);
        Assert.Equal(Px(a, 2, 2), Px(b, 2, 2)); // same first glyph
    }

    [Fact]
    public void DarkBackgroundsGetWhiteText()
    {
        using var a = new Annotator(Gray(30, 30), AnnotationFont.BuiltIn);
        var img = a.Label("I", 0, 0, new RgbColor(0, 0, 120), size: 7).ToImage();
        // 'I' at 1-pixel cells: its top bar spans cells 1..3 of row 0, at (2+1..2+3, 2).
        Assert.Equal((255, 255, 255), Px(img, 4, 2));
        Assert.Equal((0, 0, 120), Px(img, 2, 2));
    }

    [Fact]
    public void SystemFontTextChangesPixelsWhenAFontIsInstalled()
    {
        if (Annotator.SystemTypefaceFor("Alice 0.93") is null)
            Assert.Skip("Skia finds no system font on this machine; labels use the built-in font (tested above).");
        using var a1 = new Annotator(Gray(120, 30));
        using var a2 = new Annotator(Gray(120, 30));
        var alice = a1.Label("Alice 0.93", 1, 1, RgbColor.White, 16).ToImage();
        var bob = a2.Label("Bob 0.41", 1, 1, RgbColor.White, 16).ToImage();
        int dark = 0;
        for (int i = 0; i < alice.Pixels.Length; i += 3) if (alice.Pixels[i] < 100) dark++;
        Assert.True(dark > 30, $"only {dark} dark pixels: the text did not render");
        Assert.NotEqual(alice.Pixels, bob.Pixels);
    }
}
