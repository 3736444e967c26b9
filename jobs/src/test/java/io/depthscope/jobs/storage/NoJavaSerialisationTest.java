package io.depthscope.jobs.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Files from a shared output directory are data: no code of ours reads them with Java deserialisation
 * (which instantiates whatever classes a file names) or writes them with Java serialisation.
 */
class NoJavaSerialisationTest {
    @Test
    void noClassOfOursUsesObjectStreams() {
        JavaClasses ours = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.depthscope");
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.io.ObjectInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.ObjectOutputStream")
                .because("stored files are versioned JSON or npy (docs/storage.md)").check(ours);
    }
}
