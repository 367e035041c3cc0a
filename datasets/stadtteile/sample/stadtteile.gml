<?xml version="1.0" encoding="utf-8" ?>
<ogr:FeatureCollection
     gml:id="aFeatureCollection"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xsi:schemaLocation="http://ogr.maptools.org/ stadtteile.xsd"
     xmlns:ogr="http://ogr.maptools.org/"
     xmlns:gml="http://www.opengis.net/gml/3.2">
  <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>541151.14 5796085.69</gml:lowerCorner><gml:upperCorner>559965.74 5810811.19</gml:upperCorner></gml:Envelope></gml:boundedBy>
                                                                                                                                           
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.0">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>548679.56 5801132.48</gml:lowerCorner><gml:upperCorner>551745.71 5803943.66</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.0"><gml:exterior><gml:LinearRing><gml:posList>551098.23 5803861.95 551745.71 5802732.65 549045.43 5801132.48 548679.56 5802733.15 549994.99 5803943.66 551098.23 5803861.95</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>01</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Mitte</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>01</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Mitte</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>490.65</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.1">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>551098.23 5802732.65</gml:lowerCorner><gml:upperCorner>553143.53 5804859.32</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.1"><gml:exterior><gml:LinearRing><gml:posList>551602.12 5804859.32 552989.34 5804189.63 553143.53 5803560.98 551745.71 5802732.65 551098.23 5803861.95 551602.12 5804859.32</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>02</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Calenberger Neustadt</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>01</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Mitte</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>253.76</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.2">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>549039.96 5803861.95</gml:lowerCorner><gml:upperCorner>551602.12 5805550.0</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.2"><gml:exterior><gml:LinearRing><gml:posList>549994.99 5803943.66 549039.96 5805054.98 550171.43 5805550.0 551602.12 5804859.32 551098.23 5803861.95 549994.99 5803943.66</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>03</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Oststadt</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>01</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Mitte</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>264.59</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.3">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>548229.87 5802733.15</gml:lowerCorner><gml:upperCorner>549994.99 5805054.98</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.3"><gml:exterior><gml:LinearRing><gml:posList>548679.56 5802733.15 548229.87 5804700.57 549039.96 5805054.98 549994.99 5803943.66 548679.56 5802733.15</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>04</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Zoo</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>01</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Mitte</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>218.55</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.4">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>550171.43 5804189.63</gml:lowerCorner><gml:upperCorner>554297.85 5808458.15</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.4"><gml:exterior><gml:LinearRing><gml:posList>554297.85 5807379.14 552989.34 5804189.63 550171.43 5805550.0 550374.57 5807446.02 552366.99 5808458.15 554297.85 5807379.14</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>05</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Vahrenwald</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>02</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Vahrenwald-List</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>1116.21</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.5">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>550374.57 5807446.02</gml:lowerCorner><gml:upperCorner>552366.99 5809451.49</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.5"><gml:exterior><gml:LinearRing><gml:posList>550589.44 5809451.49 552366.99 5808458.15 550374.57 5807446.02 550589.44 5809451.49</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>06</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>List</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>02</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Vahrenwald-List</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>188.91</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.6">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>553133.75 5807379.14</gml:lowerCorner><gml:upperCorner>556066.83 5810081.16</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.6"><gml:exterior><gml:LinearRing><gml:posList>554184.02 5810081.16 554696.47 5809842.27 555616.04 5809824.16 556066.83 5809472.97 555963.21 5808045.28 554297.85 5807379.14 553196.72 5807994.48 553133.75 5809057.54 554184.02 5810081.16</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>07</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Bothfeld</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>03</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Bothfeld-Vahrenheide</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>579.48</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.7">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>549733.68 5809428.42</gml:lowerCorner><gml:upperCorner>551500.94 5810811.19</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.7"><gml:exterior><gml:LinearRing><gml:posList>550630.73 5809428.42 550589.44 5809451.49 549733.68 5810748.94 550300.0 5810811.19 551038.83 5810500.8 551500.94 5810541.04 551490.05 5810387.13 550630.73 5809428.42</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>08</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Isernhagen-Süd</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>03</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Bothfeld-Vahrenheide</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>117.87</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.8">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>555963.21 5808045.28</gml:lowerCorner><gml:upperCorner>557746.75 5809472.97</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.8"><gml:exterior><gml:LinearRing><gml:posList>556194.2 5809373.74 557109.81 5809203.43 557746.75 5808758.7 555963.21 5808045.28 556066.83 5809472.97 556194.2 5809373.74</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>09</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Lahe</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>03</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Bothfeld-Vahrenheide</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>134.77</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.9">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>550630.73 5807994.48</gml:lowerCorner><gml:upperCorner>553196.72 5810387.13</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.9"><gml:exterior><gml:LinearRing><gml:posList>553133.75 5809057.54 553196.72 5807994.48 550630.73 5809428.42 551490.05 5810387.13 553133.75 5809057.54</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>10</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Sahlkamp</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>03</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Bothfeld-Vahrenheide</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>267.79</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.10">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>551490.05 5809057.54</gml:lowerCorner><gml:upperCorner>554184.02 5810567.42</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.10"><gml:exterior><gml:LinearRing><gml:posList>551490.05 5810387.13 551500.94 5810541.04 551803.86 5810567.42 552537.88 5810427.04 553345.95 5810440.37 554032.73 5810151.68 554184.02 5810081.16 553133.75 5809057.54 551490.05 5810387.13</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>11</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Vahrenheide</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>03</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Bothfeld-Vahrenheide</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>201.8</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.11">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>552989.34 5803578.44</gml:lowerCorner><gml:upperCorner>558017.74 5807953.7</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.11"><gml:exterior><gml:LinearRing><gml:posList>557313.7 5803578.44 553086.83 5803792.14 552989.34 5804189.63 554297.85 5807379.14 555734.24 5807953.7 558017.74 5806324.16 557313.7 5803578.44</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>12</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Groß-Buchholz</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>04</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Buchholz-Kleefeld</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>1543.04</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.12">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>553086.83 5801502.5</gml:lowerCorner><gml:upperCorner>557313.7 5803792.14</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.12"><gml:exterior><gml:LinearRing><gml:posList>556862.65 5801819.35 555368.92 5801502.5 553143.53 5803560.98 553086.83 5803792.14 557313.7 5803578.44 556862.65 5801819.35</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>13</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Heideviertel</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>04</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Buchholz-Kleefeld</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>603.64</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.13">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>555734.24 5806324.16</gml:lowerCorner><gml:upperCorner>558411.36 5808758.7</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.13"><gml:exterior><gml:LinearRing><gml:posList>557746.75 5808758.7 557747.19 5808758.39 558005.5 5808081.17 558411.36 5807859.29 558017.74 5806324.16 555734.24 5807953.7 557746.75 5808758.7</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>14</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Kleefeld</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>04</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Buchholz-Kleefeld</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>313.73</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.14">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>557195.99 5802892.19</gml:lowerCorner><gml:upperCorner>559965.74 5806355.5</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.14"><gml:exterior><gml:LinearRing><gml:posList>557992.07 5806224.08 559294.96 5806355.5 559574.6 5805771.89 559934.81 5805148.02 559965.74 5804471.0 559882.77 5803800.0 559617.01 5803153.21 559440.83 5802892.19 557195.99 5803119.37 557992.07 5806224.08</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>15</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Misburg-Nord</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>05</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Misburg-Anderten</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>717.8</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.15">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>556862.65 5801123.41</gml:lowerCorner><gml:upperCorner>559440.83 5803119.37</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.15"><gml:exterior><gml:LinearRing><gml:posList>559211.96 5802553.11 558835.68 5801985.21 558758.33 5801357.21 558421.57 5801123.41 556862.65 5801819.35 557195.99 5803119.37 559440.83 5802892.19 559211.96 5802553.11</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>16</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Misburg-Süd</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>05</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Misburg-Anderten</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>325.29</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.16">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>557992.07 5806224.08</gml:lowerCorner><gml:upperCorner>559319.68 5807859.29</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.16"><gml:exterior><gml:LinearRing><gml:posList>558411.36 5807859.29 558753.07 5807672.48 559319.68 5807137.33 559277.17 5806392.63 559294.96 5806355.5 557992.07 5806224.08 558411.36 5807859.29</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>17</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Anderten</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>05</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Misburg-Anderten</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>143.28</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.17">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>554409.13 5798358.03</gml:lowerCorner><gml:upperCorner>557542.27 5801717.76</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.17"><gml:exterior><gml:LinearRing><gml:posList>557542.2 5799776.24 557078.99 5799286.5 556298.79 5799040.09 556071.61 5798358.03 554470.01 5799351.95 554409.13 5799619.83 555368.92 5801502.5 556383.72 5801717.76 557542.27 5799776.35 557542.2 5799776.24</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>18</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Kirchrode</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>06</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Kirchrode-Bemerode-Wülferode</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>606.86</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.18">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>556383.72 5799776.35</gml:lowerCorner><gml:upperCorner>558421.57 5801819.35</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.18"><gml:exterior><gml:LinearRing><gml:posList>556862.65 5801819.35 558421.57 5801123.41 558112.97 5800909.16 557866.88 5800333.5 557542.27 5799776.35 556383.72 5801717.76 556862.65 5801819.35</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>19</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Bemerode</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>06</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Kirchrode-Bemerode-Wülferode</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>179.09</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.19">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>554470.01 5797702.54</gml:lowerCorner><gml:upperCorner>556071.61 5799351.95</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.19"><gml:exterior><gml:LinearRing><gml:posList>556067.6 5798345.99 555355.92 5798070.61 554844.88 5797702.54 554470.01 5799351.95 556071.61 5798358.03 556067.6 5798345.99</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>20</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Wülferode</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>06</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Kirchrode-Bemerode-Wülferode</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>108</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.20">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>550614.15 5798924.3</gml:lowerCorner><gml:upperCorner>555368.92 5803560.98</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.20"><gml:exterior><gml:LinearRing><gml:posList>553143.53 5803560.98 555368.92 5801502.5 554409.13 5799619.83 550832.14 5798924.3 550614.15 5802062.09 553143.53 5803560.98</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>21</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Südstadt</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>07</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Südstadt-Bult</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>1470.33</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.21">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>549001.8 5798798.32</gml:lowerCorner><gml:upperCorner>550832.14 5802062.09</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.21"><gml:exterior><gml:LinearRing><gml:posList>550184.23 5798798.32 549001.8 5801015.37 549045.43 5801132.48 550614.15 5802062.09 550832.14 5798924.3 550184.23 5798798.32</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>22</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Bult</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>07</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Südstadt-Bult</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>350.8</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.22">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>551095.81 5796795.56</gml:lowerCorner><gml:upperCorner>553628.32 5799307.52</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.22"><gml:exterior><gml:LinearRing><gml:posList>552802.99 5799307.52 553628.32 5798312.86 553399.2 5796881.4 553218.76 5796795.56 551095.81 5797677.43 551401.96 5799035.1 552802.99 5799307.52</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>23</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Döhren</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>08</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Döhren-Wülfel</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>434.16</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.23">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>549576.97 5796085.69</gml:lowerCorner><gml:upperCorner>550607.46 5797458.94</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.23"><gml:exterior><gml:LinearRing><gml:posList>550607.46 5796100.87 550300.0 5796085.69 549576.97 5796166.89 549875.14 5797458.94 550492.94 5797317.51 550607.46 5796100.87</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>24</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Seelhorst</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>08</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Döhren-Wülfel</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>106.13</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.24">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>553399.2 5796881.4</gml:lowerCorner><gml:upperCorner>554844.88 5798818.56</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.24"><gml:exterior><gml:LinearRing><gml:posList>554591.24 5798818.56 554844.88 5797702.54 554773.85 5797651.39 554059.07 5797403.49 553460.26 5796910.44 553399.2 5796881.4 553628.32 5798312.86 554591.24 5798818.56</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>25</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Waldhausen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>08</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Döhren-Wülfel</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>145.15</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.25">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>549875.14 5797317.51</gml:lowerCorner><gml:upperCorner>551401.96 5799035.1</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.25"><gml:exterior><gml:LinearRing><gml:posList>550492.94 5797317.51 549875.14 5797458.94 550184.23 5798798.32 551401.96 5799035.1 551095.81 5797677.43 550492.94 5797317.51</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>26</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Waldheim</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>08</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Döhren-Wülfel</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>172.79</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.26">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>550492.94 5796100.87</gml:lowerCorner><gml:upperCorner>553218.76 5797677.43</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.26"><gml:exterior><gml:LinearRing><gml:posList>551095.81 5797677.43 553218.76 5796795.56 552741.92 5796568.73 551928.25 5796472.82 551145.97 5796127.45 550607.46 5796100.87 550492.94 5797317.51 551095.81 5797677.43</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>27</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Wülfel</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>08</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Döhren-Wülfel</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>240.13</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.27">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>552802.99 5798312.86</gml:lowerCorner><gml:upperCorner>554591.24 5799619.83</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.27"><gml:exterior><gml:LinearRing><gml:posList>552802.99 5799307.52 554409.13 5799619.83 554591.24 5798818.56 553628.32 5798312.86 552802.99 5799307.52</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>28</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Mittelfeld</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>08</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Döhren-Wülfel</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>135.95</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.28">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>545552.4 5796356.98</gml:lowerCorner><gml:upperCorner>548619.67 5800710.77</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.28"><gml:exterior><gml:LinearRing><gml:posList>546818.87 5800710.77 548587.77 5799397.32 548619.67 5797655.15 547284.78 5796356.98 546932.67 5796459.02 546185.25 5796798.26 545746.89 5797172.2 545552.4 5800534.06 546818.87 5800710.77</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>29</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Ricklingen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>09</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ricklingen</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>1016.26</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.29">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>547284.78 5796166.89</gml:lowerCorner><gml:upperCorner>549868.09 5797655.15</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.29"><gml:exterior><gml:LinearRing><gml:posList>549868.09 5797428.38 549576.97 5796166.89 549459.83 5796180.05 548617.57 5796228.99 547741.85 5796224.53 547284.78 5796356.98 548619.67 5797655.15 549868.09 5797428.38</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>30</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Oberricklingen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>09</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ricklingen</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>251.15</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.30">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>544102.39 5797172.2</gml:lowerCorner><gml:upperCorner>545746.89 5800534.06</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.30"><gml:exterior><gml:LinearRing><gml:posList>545580.66 5797314.0 544915.06 5797697.77 544357.08 5798180.2 544102.39 5798490.17 545490.01 5800525.35 545552.4 5800534.06 545746.89 5797172.2 545580.66 5797314.0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>31</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Mühlenberg</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>09</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ricklingen</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>281.93</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.31">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>546818.87 5799397.32</gml:lowerCorner><gml:upperCorner>549597.98 5801015.37</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.31"><gml:exterior><gml:LinearRing><gml:posList>546818.87 5800710.77 549001.8 5801015.37 549597.98 5799897.54 548587.77 5799397.32 546818.87 5800710.77</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>32</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Wettbergen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>09</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ricklingen</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>241.67</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.32">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>548587.77 5797428.38</gml:lowerCorner><gml:upperCorner>550184.23 5799897.54</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.32"><gml:exterior><gml:LinearRing><gml:posList>548587.77 5799397.32 549597.98 5799897.54 550184.23 5798798.32 549868.09 5797428.38 548619.67 5797655.15 548587.77 5799397.32</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>33</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Bornum</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>09</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ricklingen</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>297.39</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.33">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>544732.05 5801161.4</gml:lowerCorner><gml:upperCorner>548620.98 5805494.38</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.33"><gml:exterior><gml:LinearRing><gml:posList>544882.62 5802300.8 544732.05 5802740.94 546544.52 5805435.37 546717.85 5805494.38 548229.87 5804700.57 548620.98 5802989.46 547173.99 5801161.4 544882.62 5802300.8</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>34</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Linden-Nord</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>10</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Linden-Limmer</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>1021.89</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.34">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>544095.49 5802740.94</gml:lowerCorner><gml:upperCorner>546544.52 5805435.37</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.34"><gml:exterior><gml:LinearRing><gml:posList>544095.49 5804601.65 546544.52 5805435.37 544732.05 5802740.94 544095.49 5804601.65</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>35</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Linden-Mitte</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>10</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Linden-Limmer</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>254.38</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.35">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>547173.99 5800768.71</gml:lowerCorner><gml:upperCorner>549045.43 5802989.46</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.35"><gml:exterior><gml:LinearRing><gml:posList>548620.98 5802989.46 549045.43 5801132.48 549001.8 5801015.37 547234.1 5800768.71 547173.99 5801161.4 548620.98 5802989.46</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>36</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Linden-Süd</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>10</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Linden-Limmer</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>219.62</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.36">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>544882.62 5800525.35</gml:lowerCorner><gml:upperCorner>547234.1 5802300.8</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.36"><gml:exterior><gml:LinearRing><gml:posList>547234.1 5800768.71 545490.01 5800525.35 544882.62 5802300.8 547173.99 5801161.4 547234.1 5800768.71</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>37</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Limmer</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>10</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Linden-Limmer</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>203.78</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.37">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>541418.93 5800225.71</gml:lowerCorner><gml:upperCorner>545398.92 5804797.83</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.37"><gml:exterior><gml:LinearRing><gml:posList>542680.19 5800309.25 542475.91 5800905.05 542100.56 5801431.98 541703.85 5801972.36 541866.45 5802620.05 541555.11 5803192.93 541418.93 5803429.0 543560.44 5804797.83 544095.49 5804601.65 545398.92 5800791.63 542756.13 5800225.71 542680.19 5800309.25</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>38</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Ahlem</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>11</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ahlem-Badenstedt-Davenstedt</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>1125.34</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.38">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>541151.14 5803429.0</gml:lowerCorner><gml:upperCorner>543560.44 5805668.61</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.38"><gml:exterior><gml:LinearRing><gml:posList>541204.91 5803800.0 541416.27 5804416.71 541151.14 5805080.03 541185.6 5805668.61 543560.44 5804797.83 541418.93 5803429.0 541204.91 5803800.0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>39</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Badenstedt</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>11</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ahlem-Badenstedt-Davenstedt</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>264.02</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.39">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>542756.13 5798490.17</gml:lowerCorner><gml:upperCorner>545490.01 5800791.63</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.39"><gml:exterior><gml:LinearRing><gml:posList>545490.01 5800525.35 544102.39 5798490.17 543907.33 5798727.56 543639.59 5799365.45 543128.85 5799815.71 542756.13 5800225.71 545398.92 5800791.63 545490.01 5800525.35</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>40</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Davenstedt</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>11</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Ahlem-Badenstedt-Davenstedt</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>281.54</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.40">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>542265.39 5806154.26</gml:lowerCorner><gml:upperCorner>546051.21 5809348.27</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.40"><gml:exterior><gml:LinearRing><gml:posList>542460.13 5808155.83 542668.09 5808881.38 543400.73 5809274.42 543645.4 5809348.27 545757.71 5808876.92 546051.21 5807216.05 545043.65 5806154.26 543155.01 5806462.95 542265.39 5807919.77 542460.13 5808155.83</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>41</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Herrenhausen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>882.82</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.41">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>541185.6 5805128.18</gml:lowerCorner><gml:upperCorner>543155.01 5807919.77</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.41"><gml:exterior><gml:LinearRing><gml:posList>542659.51 5805128.18 541185.6 5805668.61 541189.6 5805736.98 541245.97 5806414.83 541546.36 5807038.89 542002.57 5807601.18 542265.39 5807919.77 543155.01 5806462.95 542659.51 5805128.18</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>42</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Burg</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>333.42</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.42">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>546401.26 5809488.97</gml:lowerCorner><gml:upperCorner>547718.87 5810785.45</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.42"><gml:exterior><gml:LinearRing><gml:posList>546401.26 5810494.93 547101.29 5810773.38 547718.87 5810785.45 547473.59 5809488.97 546576.39 5809670.02 546401.26 5810494.93</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>43</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Leinhausen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>125.45</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.43">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>542659.51 5804601.65</gml:lowerCorner><gml:upperCorner>545557.11 5806462.95</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.43"><gml:exterior><gml:LinearRing><gml:posList>545043.65 5806154.26 545557.11 5805099.23 544095.49 5804601.65 542659.51 5805128.18 543155.01 5806462.95 545043.65 5806154.26</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>44</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Ledeburg</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>360.01</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.44">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>545043.65 5805099.23</gml:lowerCorner><gml:upperCorner>547019.91 5807216.05</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.44"><gml:exterior><gml:LinearRing><gml:posList>546051.21 5807216.05 547019.91 5807090.97 546717.85 5805494.38 545557.11 5805099.23 545043.65 5806154.26 546051.21 5807216.05</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>45</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Stöcken</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>272.72</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.45">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>545757.71 5807090.97</gml:lowerCorner><gml:upperCorner>547473.59 5809670.02</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.45"><gml:exterior><gml:LinearRing><gml:posList>545757.71 5808876.92 546576.39 5809670.02 547473.59 5809488.97 547019.91 5807090.97 546051.21 5807216.05 545757.71 5808876.92</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>46</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Marienwerder</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>313.45</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.46">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>543645.4 5808876.92</gml:lowerCorner><gml:upperCorner>546576.39 5810494.93</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.46"><gml:exterior><gml:LinearRing><gml:posList>545757.71 5808876.92 543645.4 5809348.27 544242.22 5809528.42 544698.51 5810147.63 545537.98 5810344.66 546372.32 5810483.42 546401.26 5810494.93 546576.39 5809670.02 545757.71 5808876.92</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>47</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Nordhafen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>12</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Herrenhausen-Stöcken</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>264.08</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.47">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>546903.93 5805735.18</gml:lowerCorner><gml:upperCorner>550424.77 5809238.41</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.47"><gml:exterior><gml:LinearRing><gml:posList>550191.27 5805735.18 546903.93 5806477.91 547359.48 5808885.86 548692.26 5809238.41 550424.77 5807914.56 550191.27 5805735.18</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>48</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Nordstadt</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>13</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Nord</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>876.83</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.48">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>547359.48 5808885.86</gml:lowerCorner><gml:upperCorner>549348.59 5810789.76</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.48"><gml:exterior><gml:LinearRing><gml:posList>547359.48 5808885.86 547718.87 5810785.45 547939.63 5810789.76 548780.34 5810638.53 549348.59 5810705.21 548692.26 5809238.41 547359.48 5808885.86</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>49</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Hainholz</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>13</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Nord</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>236.55</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.49">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>546717.85 5804700.57</gml:lowerCorner><gml:upperCorner>550191.27 5806477.91</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.49"><gml:exterior><gml:LinearRing><gml:posList>550171.43 5805550.0 548229.87 5804700.57 546717.85 5805494.38 546903.93 5806477.91 550191.27 5805735.18 550171.43 5805550.0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>50</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Vinnhorst</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>13</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Nord</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>341.77</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:stadtteile gml:id="stadtteile.50">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::25832"><gml:lowerCorner>548692.26 5807914.56</gml:lowerCorner><gml:upperCorner>550589.44 5810748.94</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::25832" gml:id="stadtteile.geom.50"><gml:exterior><gml:LinearRing><gml:posList>549348.59 5810705.21 549536.21 5810727.23 549733.68 5810748.94 550589.44 5809451.49 550424.77 5807914.56 548692.26 5809238.41 549348.59 5810705.21</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:STADTTEIL_NR>51</ogr:STADTTEIL_NR>
      <ogr:STADTTEIL>Brink-Hafen</ogr:STADTTEIL>
      <ogr:STADTBEZIRK_NR>13</ogr:STADTBEZIRK_NR>
      <ogr:STADTBEZIRK>Nord</ogr:STADTBEZIRK>
      <ogr:FLAECHE_HA>303.05</ogr:FLAECHE_HA>
    </ogr:stadtteile>
  </ogr:featureMember>
</ogr:FeatureCollection>
