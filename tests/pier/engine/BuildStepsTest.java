package pier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The legacy builder's output, as docker.io 20.10 wrote it for a measured build, read for the images it made. */
class BuildStepsTest {
    static BuildSteps read(String output) {
        BuildSteps steps = new BuildSteps();
        output.lines().forEach(steps::line);
        return steps;
    }

    @Test
    void aFailedBuildMadeTheImagesOfTheStepsThatRanBeforeIt() {
        BuildSteps steps = read("""
                Step 1/4 : FROM bbtest:latest
                 ---> a478194bf48b
                Step 2/4 : RUN ["/bin/busybox","sh","-c","echo one > /one"]
                 ---> Running in 2f7704c946a9
                Removing intermediate container 2f7704c946a9
                 ---> eb24b79bebf4
                Step 3/4 : RUN ["/bin/busybox","sh","-c","exit 1"]
                 ---> Running in 33db0a8b72f8
                Removing intermediate container 33db0a8b72f8
                The command '/bin/busybox sh -c exit 1' returned a non-zero code: 1
                """);
        assertEquals(List.of("eb24b79bebf4"), steps.images());
        assertEquals(List.of("2f7704c946a9", "33db0a8b72f8"), steps.containers());
    }

    /** The FROM image and a cached step existed before: removing them would take the base image or others' cache. */
    @Test
    void neitherTheBaseImageNorACachedStepIsAnImageTheBuildMade() {
        BuildSteps steps = read("""
                Step 1/4 : FROM bbtest:latest
                 ---> a478194bf48b
                Step 2/4 : RUN ["/bin/busybox","sh","-c","echo one > /one"]
                 ---> Using cache
                 ---> eb24b79bebf4
                Step 3/4 : RUN ["/bin/busybox","sh","-c","echo two > /two"]
                 ---> Running in 29ee796cb262
                Removing intermediate container 29ee796cb262
                 ---> 6df08bd5af03
                Step 4/4 : LABEL pier.app=meas
                 ---> Running in 33efd17c08f5
                Removing intermediate container 33efd17c08f5
                 ---> 9da427e7f47b
                Successfully built 9da427e7f47b
                Successfully tagged meas:ok
                """);
        assertEquals(List.of("6df08bd5af03", "9da427e7f47b"), steps.images());
    }

    /** A step's own output comes before the builder's image line, so an image line the app prints is overridden. */
    @Test
    void theBuildersLineWinsOverOneTheStepPrinted() {
        BuildSteps steps = read("""
                Step 2/3 : RUN ["/bin/busybox","sh","-c","echo ' ---> 0123456789ab'"]
                 ---> Running in 29ee796cb262
                 ---> 0123456789ab
                 ---> Running in aaaaaaaaaaaa
                Removing intermediate container 29ee796cb262
                 ---> 6df08bd5af03
                Step 3/3 : CMD ["x"]
                """);
        assertEquals(List.of("6df08bd5af03"), steps.images());
        assertEquals(List.of("29ee796cb262"), steps.containers());
    }
}
