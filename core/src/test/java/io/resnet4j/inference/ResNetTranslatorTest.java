package io.resnet4j.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resnet4j network through DJL's own Criteria, ZooModel and Predictor gives the facade's answer. */
class ResNetTranslatorTest {

    @TempDir
    Path dir;

    @Test
    void criteriaZooModelAndPredictorClassifyAsTheFacadeDoes() throws Exception {
        String weights = ImageClassifierTest.weights();
        WeightsLoader.Loaded loaded;
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("resnet20", "PyTorch")) {
            loaded = WeightsLoader.load(weights, WeightsLoader.Options.defaults(), m);
            model.setBlock(loaded.net());
            model.save(dir, "resnet20");
        }
        try (ImageClassifier facade = ImageClassifier.builder(weights).engine("pytorch").open()) {
            Criteria<Image, Classifications> criteria = Criteria.builder()
                    .setTypes(Image.class, Classifications.class)
                    .optModelPath(dir).optModelName("resnet20").optEngine("PyTorch")
                    .optBlock(new ResNet(loaded.net().config()))
                    .optTranslator(new ResNetTranslator(facade.transform(), facade.classNames(), 3))
                    .build();
            try (ZooModel<Image, Classifications> zoo = criteria.loadModel();
                    Predictor<Image, Classifications> predictor = zoo.newPredictor()) {
                for (var photo : ImageClassifierTest.photos()) {
                    Classifications djl = predictor.predict(ImageFactory.getInstance().fromImage(photo));
                    List<Prediction> ours = facade.classify(photo, 3);
                    List<Classifications.Classification> top = djl.topK(3);
                    for (int i = 0; i < 3; i++) {
                        assertThat(top.get(i).getClassName()).isEqualTo(ours.get(i).name());
                        assertThat(top.get(i).getProbability()).isCloseTo(ours.get(i).probability(),
                                org.assertj.core.data.Offset.offset(1e-5));
                    }
                }
            }
        }
    }
}
