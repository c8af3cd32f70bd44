package pier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map of ARCHITECTURE.md, checked on the compiled library and scripts: each layer uses only the
 * layers below it, so there is no cycle, and the two libraries that shape everything they touch stay behind
 * one package each (Picocli in pier.cli, docker-java in pier.engine).
 */
class LayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importPier() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("pier");
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("base").definedBy("pier.base..")
                .layer("names").definedBy("pier.names..")
                .layer("state").definedBy("pier.state..")
                .layer("engine").definedBy("pier.engine..")
                .layer("access").definedBy("pier.access..")
                .layer("apps").definedBy("pier.apps..")
                .layer("build").definedBy("pier.build..")
                .layer("services").definedBy("pier.services..")
                .layer("deploy").definedBy("pier.deploy..")
                .layer("facade").definedBy("pier")
                .layer("install").definedBy("pier.install..")
                .layer("remote").definedBy("pier.remote..")
                .layer("cluster").definedBy("pier.cluster..")
                .layer("cli").definedBy("pier.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("cluster").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("install").mayOnlyBeAccessedByLayers("cluster", "cli")
                .whereLayer("remote").mayOnlyBeAccessedByLayers("cluster", "cli")
                .whereLayer("facade").mayOnlyBeAccessedByLayers("install", "cli")
                .whereLayer("deploy").mayOnlyBeAccessedByLayers("facade", "install", "cli")
                .whereLayer("services").mayOnlyBeAccessedByLayers("deploy", "facade", "install", "cli")
                .whereLayer("build").mayOnlyBeAccessedByLayers("services", "deploy", "facade", "install", "cli")
                .whereLayer("apps").mayOnlyBeAccessedByLayers("build", "services", "deploy", "facade", "install", "cli")
                .whereLayer("access").mayOnlyBeAccessedByLayers("apps", "build", "services", "deploy", "facade", "install",
                        "cli")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("access", "apps", "build", "services", "deploy", "facade",
                        "install", "cluster", "cli")
                .whereLayer("state").mayOnlyBeAccessedByLayers("engine", "access", "apps", "build", "services", "deploy",
                        "facade", "install", "remote", "cluster", "cli")
                .whereLayer("names").mayOnlyBeAccessedByLayers("state", "engine", "access", "apps", "build", "services",
                        "deploy", "facade", "install", "remote", "cluster", "cli")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("pier.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyTheCliKnowsPicocli() {
        noClasses().that().resideOutsideOfPackage("pier.cli..").should().dependOnClassesThat()
                .resideInAPackage("picocli..").check(classes);
    }

    @Test
    void onlyTheEngineKnowsDockerJava() {
        noClasses().that().resideOutsideOfPackage("pier.engine..").should().dependOnClassesThat()
                .resideInAPackage("com.github.dockerjava..").check(classes);
    }

    @Test
    void namesDependOnNothingButTheBase() {
        noClasses().that().resideInAPackage("pier.names..").should().dependOnClassesThat()
                .resideInAnyPackage("pier", "pier.state..", "pier.engine..", "pier.access..", "pier.apps..",
                        "pier.build..", "pier.deploy..", "pier.install..", "pier.remote..", "pier.cli..")
                .check(classes);
    }
}
