namespace Convolve;

/// <summary>Facts about this build of the library.</summary>
public static class ConvolveInfo
{
    /// <summary>The library's version.</summary>
    public const string Version = "0.1.0";
}
