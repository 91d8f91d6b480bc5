using System.Text.Json;
using Convolve.Faces.Gallery;
using Convolve.Faces.Landmarks;
using Convolve.Imaging;
using Convolve.Tests.Cli;
using Convolve.Tests.Imaging;

namespace Convolve.Tests.Faces.Gallery;

/// <summary>Enrolling a face turned away from the camera goes ahead with a warning, in the library and in <c>faces enroll</c>.</summary>
public sealed class EnrollmentCheckTests(FaceAnalyzerFixture analyzers) : IClassFixture<FaceAnalyzerFixture>, IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.59, false)]
    [InlineData(-0.59, false)]
    [InlineData(0.6, true)]
    [InlineData(-0.81, true)]
    public void Warns_from_the_yaw_limit_on_either_side(double yaw, bool warned)
    {
        var warnings = EnrollmentCheck.Warnings(new HeadPose(30, yaw, 50)); // roll and size are not judged
        Assert.Equal(warned, warnings.Count == 1);
        if (warned) Assert.Contains("turned away", warnings[0]);
    }

    /// <summary>sample2's faces by position, left to right: a profile, then two faces towards the camera.</summary>
    private int[] Sample2FacesLeftToRight(out RgbImage image)
    {
        image = ImageDecoder.Load(FacesTestData.Sample(2));
        var faces = analyzers.Get().Detect(image);
        Assert.Equal(3, faces.Count);
        return Enumerable.Range(0, faces.Count).OrderBy(i => faces[i].Box.X).ToArray();
    }

    [Fact]
    public void The_profile_face_is_enrolled_with_a_warning_and_a_frontal_one_without()
    {
        var analyzer = analyzers.Get();
        int[] order = Sample2FacesLeftToRight(out var image);
        using var gallery = analyzer.OpenGallery(Path.Combine(_dir.Path, "g.db"));
        var profile = analyzer.Enroll(gallery, "Left", image, order[0]);
        var frontal = analyzer.Enroll(gallery, "Right", image, order[2]);
        Assert.Single(profile.Warnings);
        Assert.True(profile.Pose.Yaw <= -EnrollmentCheck.MaxYaw);
        Assert.Empty(frontal.Warnings);
        Assert.Equal(2, gallery.Entries().Count); // a warning does not stop enrollment
        Assert.Equal(profile.Entry.Id, gallery.Entries("Left").Single().Id);
    }

    [Fact]
    public void Faces_enroll_reports_the_pose_and_the_warning()
    {
        int[] order = Sample2FacesLeftToRight(out _);
        string gallery = Path.Combine(_dir.Path, "cli.db");
        var r = CliRunner.Run(["faces", "enroll", "Left", FacesTestData.Sample(2), "--face", order[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gallery", gallery, "--json", "--models", FacesTestData.ModelDir]);
        Assert.Equal(0, r.ExitCode);
        var enrolled = r.Json().GetProperty("enrolled")[0];
        Assert.True(enrolled.GetProperty("pose").GetProperty("yaw").GetDouble() <= -EnrollmentCheck.MaxYaw);
        Assert.Contains("turned away", enrolled.GetProperty("warnings")[0].GetString());

        var human = CliRunner.Run(["faces", "enroll", "Left", FacesTestData.Sample(2), "--face", order[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gallery", gallery, "--models", FacesTestData.ModelDir]);
        Assert.Equal(0, human.ExitCode);
        Assert.Contains($"warning: {FacesTestData.Sample(2)}: the face is turned away", human.Stderr);
    }
}
