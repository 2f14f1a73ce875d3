package io.resnet4j.cli;

import io.resnet4j.train.Recipe;
import java.util.ListResourceBundle;

/**
 * The recipes' values for help texts, as {@code ${bundle:cifar}}, {@code ${bundle:imagenet}} and
 * {@code ${bundle:fine-tune}}: the help states the defaults the commands train with, from the one
 * place that defines them.
 */
public final class RecipeHelp extends ListResourceBundle {

    @Override
    protected Object[][] getContents() {
        return new Object[][] {
            {"cifar", Recipe.cifar().summary()},
            {"imagenet", Recipe.imagenet().summary()},
            {"fine-tune", Recipe.fineTune().summary()},
        };
    }
}
